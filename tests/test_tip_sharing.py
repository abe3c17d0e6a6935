"""Sharing and editing account tips from the site: the form, its checks, who may edit, moderation."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains
from wagtail.models import Site, WorkflowState

from knowledge import signals
from knowledge.models import Account, KnowledgeSettings, TipPage

from .factories import make_account, make_tip
from .tips_support import _fresh_rate_limit  # noqa: F401 (autouse: rate limits start fresh)


def share(client, **fields):
    data = {
        "title": "Re-engage a buyer who stopped answering",
        "body": "Send a short break-up e-mail.",
        **fields,
    }
    return client.post(reverse("tip_create"), data, follow=True)


@pytest.mark.django_db
def test_sharing_a_tip_with_only_title_and_body_publishes_it(rep_client, rep):
    shared = []
    signals.shared.connect(lambda **kwargs: shared.append(kwargs), weak=False, dispatch_uid="test_tip_shared")
    try:
        response = share(rep_client)
    finally:
        signals.shared.disconnect(dispatch_uid="test_tip_shared")
    tip = TipPage.objects.get()
    assert tip.live and tip.author == rep and tip.owner == rep
    assert response.redirect_chain[-1][0] == tip.url
    assertContains(response, "Your tip is live.")
    assertContains(response, "Send a short break-up e-mail.")
    assert [(call["instance"].pk, call["user"]) for call in shared if isinstance(call["instance"], TipPage)] == [
        (tip.pk, rep)
    ]


@pytest.mark.django_db
def test_a_tip_a_rep_just_shared_says_not_yet_verified_until_marketing_verifies_it(rep_client, marketer_client):
    """A rep's word is not marketing's check: the badge says "Not yet verified" until someone verifies."""
    response = share(rep_client)
    tip = TipPage.objects.get()
    assert tip.verified_until is None
    assertContains(response, "Not yet verified")
    assertNotContains(response, "Verified until")
    assert list(TipPage.objects.unverified()) == [tip]
    assert list(TipPage.objects.stale()) == []  # never verified is not "out of date"
    assertContains(marketer_client.get(reverse("wagtailadmin_home")), "Not yet verified")

    marketer_client.post(reverse("knowledge_tip_verify", args=[tip.pk]))
    response = rep_client.get(tip.url)
    until = timezone.localdate() + datetime.timedelta(days=90)
    assertContains(response, f"Verified until {until:%-d %b %Y}")
    assertNotContains(response, "Not yet verified")
    assert list(TipPage.objects.unverified()) == []


@pytest.mark.django_db
def test_sharing_with_every_field_fills_the_body_blocks_and_tags(rep_client):
    make_account("Acme Corp", industry="Manufacturing")
    share(
        rep_client,
        summary="Three lines beat a fifth check-in",
        talk_track="Should I close the file?",
        objection="Too expensive",
        response="Compared to what?",
        checklist="Wait a week\nKeep it short",
        account_name="acme corp",
        product="Huddle Sync",
        stage="negotiation",
        tags="Ghosting, follow-up, #email",
    )
    tip = TipPage.objects.get()
    assert [block.block_type for block in tip.body] == [
        "paragraph",
        "talk_track",
        "objection",
        "checklist",
    ]
    assert tip.account.name == "Acme Corp" and tip.industry == "Manufacturing"
    assert sorted(tip.tags.names()) == ["email", "follow-up", "ghosting"]
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_a_new_account_is_created_only_when_the_rep_asks_for_it(rep_client):
    response = share(rep_client, account_name="  Brand   New Co ")
    assertContains(response, "There is no account called “Brand New Co” yet. Tick “Create it as a new account”")
    assertContains(response, 'value="  Brand   New Co "')  # nothing typed is lost
    assert not TipPage.objects.exists() and not Account.objects.exists()
    share(rep_client, account_name="  Brand   New Co ", new_account="on")
    assert TipPage.objects.get().account.name == "Brand New Co"


@pytest.mark.django_db
def test_a_near_miss_account_name_is_refused_with_the_accounts_it_probably_meant(rep_client):
    """'Initech' beside Initech Corp and Initech Bank is a question, not a third account."""
    make_account("Initech Corp")
    make_account("Initech Bank")
    make_account("Globex")
    response = share(rep_client, account_name="Initech")
    assertContains(response, "Did you mean Initech Bank or Initech Corp?")
    assert not TipPage.objects.exists() and Account.objects.count() == 3
    assertContains(share(rep_client, account_name="Initek Corp"), "Did you mean Initech Corp?")
    share(rep_client, account_name="initech corp")  # an existing name in other case is that account
    assert TipPage.objects.get().account.name == "Initech Corp"
    assert Account.objects.count() == 3


@pytest.mark.django_db
def test_the_account_field_suggests_existing_accounts_as_the_rep_types(rep_client):
    for name in ("Initech Corp", "Initech Bank", "Globex", "Big Initech Holdings"):
        make_account(name)
    response = rep_client.get(reverse("account_suggestions"), {"account_name": "initech"})
    assert re.findall(r'<option value="([^"]+)">', response.content.decode()) == [
        "Initech Bank",
        "Initech Corp",
        "Big Initech Holdings",
    ]  # names starting with it first
    assert rep_client.get(reverse("account_suggestions"), {"account_name": ""}).content.strip() == b""
    form = rep_client.get(reverse("tip_create"))
    assertContains(form, f'hx-get="{reverse("account_suggestions")}"')
    assertContains(form, 'list="id_account_name-options"')
    assertContains(form, '<datalist id="id_account_name-options"></datalist>')


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Give the tip a title."),
        ({"body": "   "}, "Say what worked: the tip is empty."),
        ({"title": "x" * 256}, "Ensure this value has at most 255 characters"),
        ({"objection": "Too pricey"}, "An objection needs its response"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_creates_nothing(rep_client, fields, message):
    response = share(rep_client, account_name="Should Not Exist", **fields)
    assertContains(response, message)
    assert not TipPage.objects.exists()
    assert not Account.objects.filter(name="Should Not Exist").exists()


@pytest.mark.django_db
def test_html_and_script_in_a_tip_come_out_escaped(rep_client):
    share(
        rep_client,
        title='<script>alert("t")</script>',
        body="<img src=x onerror=alert(1)> **hi**",
        talk_track="<b>bold</b>",
        summary="<i>sum</i>",
    )
    tip = TipPage.objects.get()
    response = rep_client.get(tip.url)
    for raw in ['<script>alert("t")</script>', "<img src=x", "<b>bold</b>", "<i>sum</i>"]:
        assertNotContains(response, raw, html=False)
    assertContains(response, "&lt;img src=x onerror=alert(1)&gt;")


@pytest.mark.django_db
def test_author_edits_their_tip_and_the_page_shows_edited(rep_client, rep):
    share(rep_client, tags="pricing")
    tip = TipPage.objects.get()
    form = rep_client.get(reverse("tip_edit", args=[tip.pk]))
    assertContains(form, "Send a short break-up e-mail.")
    assertContains(form, 'value="pricing"')
    response = rep_client.post(
        reverse("tip_edit", args=[tip.pk]),
        {"title": "Re-engage a silent buyer", "body": "New words.", "tags": "pricing"},
        follow=True,
    )
    assertContains(response, "Re-engage a silent buyer")
    assertContains(response, "New words.")
    assertContains(response, "edited")
    tip.refresh_from_db()
    assert tip.edited_at is not None and tip.title == "Re-engage a silent buyer"


@pytest.mark.django_db
def test_editing_someone_elses_tip_is_refused(other_rep_client, rep):
    tip = make_tip(author=rep)
    response = other_rep_client.post(reverse("tip_edit", args=[tip.pk]), {"title": "Hijacked", "body": "x"})
    assertContains(response, "You can only edit your own tips.", status_code=403)
    tip.refresh_from_db()
    assert tip.title == "Re-engage a buyer who stopped answering"


@pytest.mark.django_db
def test_a_refusal_logs_one_warning_line_without_a_traceback(other_rep_client, rep, settings, capsys):
    """A 403 is expected: one line naming the path, not a traceback printed twice (as under DEBUG)."""
    from django.utils.log import configure_logging

    tip = make_tip(author=rep)
    settings.DEBUG = True  # Django's own console handler prints only under DEBUG
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)  # handlers write to the captured stderr
    try:
        response = other_rep_client.get(reverse("tip_edit", args=[tip.pk]))
        logged = capsys.readouterr().err
    finally:
        with capsys.disabled():
            configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    assert response.status_code == 403
    assert logged.count(f"Forbidden (Permission denied): /tips/{tip.pk}/edit/") == 1
    assert "Traceback" not in logged
    assert len(logged.strip().splitlines()) == 1


@pytest.mark.django_db
def test_when_tips_need_approval_they_wait_in_the_workflow(rep_client, marketer, rep):
    knowledge_settings = KnowledgeSettings.for_site(Site.objects.get(is_default_site=True))
    knowledge_settings.tips_need_approval = True
    knowledge_settings.save()
    response = share(rep_client)
    assertContains(response, "waiting for approval")
    tip = TipPage.objects.get()
    assert not tip.live
    assert rep_client.get(tip.url).status_code == 404
    state = WorkflowState.objects.get(object_id=str(tip.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    # Marketing approves in the admin: the task is theirs.
    task_state = state.current_task_state
    assert task_state.task.specific.user_can_access_editor(tip, marketer)
    task_state.task.specific.on_action(task_state, marketer, "approve")
    tip.refresh_from_db()
    assert tip.live


@pytest.mark.django_db
def test_posting_guidelines_show_beside_the_share_form(rep_client):
    assertContains(rep_client.get(reverse("tip_create")), "Say what worked and why")  # the default, now kept
    knowledge_settings = KnowledgeSettings.for_site(Site.objects.get(is_default_site=True))
    knowledge_settings.posting_guidelines = "<p>Name the <b>account</b>.</p>"
    knowledge_settings.save()
    assertContains(rep_client.get(reverse("tip_create")), "Name the <b>account</b>.", html=False)
    assertContains(rep_client.get("/"), "Name the <b>account</b>.", html=False)


@pytest.mark.django_db
def test_editing_from_the_site_keeps_admin_blocks_in_their_places(rep_client, rep):
    from wagtail.rich_text import RichText

    from knowledge.sharing import form_initial

    tip = make_tip("Multi-threading a deal", author=rep)
    tip.body = [
        ("paragraph", RichText("<p>Find a second champion.</p>")),
        ("quote", {"quote": "Two voices beat one.", "source": "A buyer"}),
        ("talk_track", "Who else should hear this?"),
        ("link", {"url": "https://example.com/map", "text": "Stakeholder map"}),
        ("talk_track", "A second track marketing added."),
    ]
    tip.save_revision(user=rep).publish()

    data = {key: value for key, value in form_initial(TipPage.objects.get(pk=tip.pk)).items() if value}
    data.update(talk_track="Who else signs off?", checklist="Map the committee\nBook the demo")
    response = rep_client.post(reverse("tip_edit", args=[tip.pk]), data)
    assert response.status_code == 302

    body = TipPage.objects.get(pk=tip.pk).body
    assert [block.block_type for block in body] == [
        "paragraph",
        "quote",
        "talk_track",
        "checklist",
        "link",
        "talk_track",
    ]
    assert body[2].value == "Who else signs off?"
    assert body[4].value["text"] == "Stakeholder map"
    assert body[5].value == "A second track marketing added."
    assert "Find a second champion." in body[0].value.source
