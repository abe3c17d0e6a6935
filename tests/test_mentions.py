"""@mentions in comments: linked to the profile, one e-mail per person and comment, as in posts."""

import pytest
from django_comments_xtd.models import XtdComment
from pytest_django.asserts import assertContains

from .factories import make_micropost, make_rep, make_tip
from .test_comments import comment_form_data


@pytest.fixture
def tip(db):
    return make_tip("Handling the 'too expensive' objection", author=make_rep("author"))


@pytest.fixture
def dana(db):
    return make_rep("dana", first_name="Dana", last_name="Diaz")


@pytest.fixture
def eli(db):
    return make_rep("eli", first_name="Eli", last_name="Ellis")


def mentions_to(mailoutbox, address):
    return [m for m in mailoutbox if m.to == [address] and "mentioned you" in m.subject]


@pytest.mark.django_db
def test_a_mention_in_a_comment_links_to_the_profile_and_emails_once(rep_client, tip, dana, mailoutbox):
    response = rep_client.post(
        "/comments/post/", comment_form_data(rep_client, tip, "Ask @dana, she closed Acme"), follow=True
    )
    assertContains(response, '<a class="mention" href="/people/dana/">@dana</a>, she closed Acme')
    [message] = mentions_to(mailoutbox, dana.email)
    assert message.subject == f"Rep mentioned you in a comment on “{tip.title}”"
    comment = XtdComment.objects.get()
    assert f"{tip.url}#c{comment.pk}" in message.body
    assert "Ask @dana" in message.body


@pytest.mark.django_db
def test_editing_a_comment_emails_only_people_never_mentioned_in_it(rep_client, tip, dana, eli, mailoutbox):
    rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "Ask @dana"))
    comment = XtdComment.objects.get()
    edit_url = f"/comments/{comment.pk}/edit/"
    response = rep_client.get(tip.url)
    assertContains(response, f'href="{edit_url}"')
    for text in ("Ask @dana again", "Ask nobody", "Ask @dana, really"):
        response = rep_client.post(edit_url, {"comment": text}, follow=True)
        assertContains(response, "Your comment was updated.")
    assert len(mentions_to(mailoutbox, dana.email)) == 1
    assert not mentions_to(mailoutbox, eli.email)
    response = rep_client.post(edit_url, {"comment": "Ask @dana or @eli"}, follow=True)
    assertContains(response, '<a class="mention" href="/people/eli/">@eli</a>')
    assert len(mentions_to(mailoutbox, dana.email)) == 1
    assert len(mentions_to(mailoutbox, eli.email)) == 1


@pytest.mark.django_db
def test_the_posts_author_gets_the_comment_email_not_a_second_one_for_a_mention(rep_client, tip, mailoutbox):
    rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "Thanks @author"))
    assert [m.to for m in mailoutbox] == [["author@example.com"]]
    assert "commented on" in mailoutbox[0].subject
    comment = XtdComment.objects.get()
    rep_client.post(f"/comments/{comment.pk}/edit/", {"comment": "Thanks again @author"})
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_only_the_commenter_edits_and_an_empty_edit_keeps_the_comment(rep_client, other_rep_client, tip, mailoutbox):
    rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "Mine"))
    comment = XtdComment.objects.get()
    url = f"/comments/{comment.pk}/edit/"
    assert other_rep_client.get(url).status_code == 403
    assert other_rep_client.post(url, {"comment": "Hijacked"}).status_code == 403
    response = rep_client.post(url, {"comment": "  "})
    assertContains(response, "a comment can&#x27;t be empty", status_code=400)
    comment.refresh_from_db()
    assert comment.comment == "Mine"


@pytest.mark.django_db
def test_a_micropost_edit_does_not_notify_someone_mentioned_before(rep, rep_client, dana, mailoutbox):
    """Alternating a mention in edits sent an e-mail per edit; now one per person and post."""
    post = make_micropost("Thanks @dana", author=rep)
    for text in ("Thanks all", "Thanks @dana!", "Thanks", "Thanks @dana."):
        rep_client.post(f"/microposts/{post.pk}/edit/", {"text": text, "account_name": ""})
    assert len(mentions_to(mailoutbox, dana.email)) == 1


@pytest.mark.django_db
def test_edits_count_against_the_posting_limit_and_keep_the_text(rep_client, tip, dana, settings, mailoutbox):
    settings.POST_RATE_LIMIT = "2/60"
    rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "First"))
    comment = XtdComment.objects.get()
    url = f"/comments/{comment.pk}/edit/"
    assert rep_client.post(url, {"comment": "Second"}).status_code == 302
    response = rep_client.post(url, {"comment": "Third, for @dana"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61  # the window, rounded up to its buckets
    assertContains(response, "posting too fast", status_code=429)
    assertContains(response, "Third, for @dana</textarea>", status_code=429)
    comment.refresh_from_db()
    assert comment.comment == "Second"
    assert not mentions_to(mailoutbox, dana.email)
