"""Helpful marks and views: one per user, not your own, undo, one view a day, signals."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from pytest_django.asserts import assertContains

from knowledge import signals, writebuffer
from knowledge.models import ContentView, HelpfulMark, TipPage
from knowledge.reactions import ReactionRefused, mark_helpful, record_view, unmark_helpful

from .factories import make_micropost, make_rep, make_tip, make_video


@pytest.fixture
def received():
    calls = []

    def listener(signal_name):
        return lambda sender, **kwargs: calls.append((signal_name, kwargs))

    handlers = {"viewed": listener("viewed"), "helpful_marked": listener("helpful_marked")}
    signals.viewed.connect(handlers["viewed"], weak=False)
    signals.helpful_marked.connect(handlers["helpful_marked"], weak=False)
    yield calls
    signals.viewed.disconnect(handlers["viewed"])
    signals.helpful_marked.disconnect(handlers["helpful_marked"])


def toggle_url(obj):
    return reverse("helpful_toggle", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


@pytest.mark.django_db
def test_marking_a_tip_helpful_counts_once_and_can_be_undone(rep_client, rep, other_rep, received):
    tip = make_tip(author=other_rep)
    response = rep_client.post(toggle_url(tip), {"next": tip.url}, follow=True)
    assertContains(response, 'aria-pressed="true"')
    tip.refresh_from_db()
    assert tip.helpful_count == 1
    assert [
        (name, call["user"], call["author"], call["undone"]) for name, call in received if name == "helpful_marked"
    ] == [("helpful_marked", rep, other_rep, False)]
    rep_client.post(toggle_url(tip))
    tip.refresh_from_db()
    assert tip.helpful_count == 0 and not HelpfulMark.objects.exists()
    assert received[-1][1]["undone"] is True


@pytest.mark.django_db
def test_htmx_toggle_returns_just_the_button(rep_client, other_rep):
    post = make_micropost("Nice one", author=other_rep)
    response = rep_client.post(toggle_url(post), headers={"HX-Request": "true"})
    assertContains(response, '<span class="helpful__count">1</span>', html=False)
    assert b"<html" not in response.content


@pytest.mark.django_db
def test_you_cannot_mark_your_own_content(rep_client, rep):
    tip = make_tip(author=rep)
    response = rep_client.post(toggle_url(tip), {"next": tip.url}, follow=True)
    assertContains(response, "You can&#x27;t mark your own post as helpful.")
    assert not HelpfulMark.objects.exists()
    with pytest.raises(ReactionRefused):
        mark_helpful(rep, tip)


@pytest.mark.django_db
def test_one_mark_per_user_and_item(rep, other_rep):
    post = make_micropost("Once", author=other_rep)
    mark_helpful(rep, post)
    with pytest.raises(ReactionRefused, match="already"):
        mark_helpful(rep, post)
    post.refresh_from_db()
    assert post.helpful_count == 1
    assert unmark_helpful(rep, post) is True
    assert unmark_helpful(rep, post) is False


@pytest.mark.django_db
def test_the_owner_is_the_one_the_content_declares_never_a_guess(rep, other_rep):
    """A video curated without an uploader belongs to its presenter (coaching declares it so);
    an object that declares no contract has no owner, whatever attributes it happens to have."""
    from knowledge.reactions import author_id_of

    video = make_video(author=None)
    video.presenter = other_rep
    assert author_id_of(video) == other_rep.pk
    with pytest.raises(ReactionRefused, match="your own"):
        mark_helpful(other_rep, video)

    class LooksLikeAVideo:  # the attributes the old guess tried, without the contract
        pk = 42
        presenter_id = other_rep.pk
        author_id = other_rep.pk

    assert author_id_of(LooksLikeAVideo()) is None


@pytest.mark.django_db
def test_a_view_counts_once_per_user_and_day_and_never_for_the_author(rep_client, rep, other_rep, received):
    author_client_tip = make_tip(author=other_rep)
    beacon = reverse("view_beacon", args=[author_client_tip.content_type_id, author_client_tip.pk])
    rep_client.get(author_client_tip.url)  # the page shows, then its beacon counts the view
    rep_client.post(beacon)
    rep_client.get(author_client_tip.url)
    rep_client.post(beacon)
    writebuffer.flush_all()
    assert ContentView.objects.count() == 1
    author_client_tip.refresh_from_db()
    assert author_client_tip.view_count == 1
    assert [name for name, _ in received] == ["viewed"]
    assert received[0][1]["instance"].pk == author_client_tip.pk and received[0][1]["user"] == rep
    assert record_view(other_rep, author_client_tip) is False


@pytest.mark.django_db
def test_unknown_or_unpublished_objects_answer_404(rep_client, other_rep):
    draft = make_tip(author=other_rep, live=False)
    assert rep_client.post(toggle_url(draft)).status_code == 404
    tip_type = ContentType.objects.get_for_model(TipPage).pk
    assert rep_client.post(reverse("helpful_toggle", args=[tip_type, 999999])).status_code == 404
    assert rep_client.post(reverse("helpful_toggle", args=[999999, 1])).status_code == 404
    assert rep_client.get(toggle_url(make_tip("Live", author=other_rep))).status_code == 405


@pytest.mark.django_db
def test_most_helpful_sort_uses_the_counts(rep_client, rep, other_rep):
    author = make_rep("author")
    make_tip("Less helpful", author=author)
    more = make_tip("More helpful", author=author)
    mark_helpful(rep, more)
    mark_helpful(other_rep, more)
    titles = [tip.title for tip in rep_client.get("/tips/?sort=helpful").context["tips"]]
    assert titles == ["More helpful", "Less helpful"]


@pytest.mark.django_db
def test_a_private_pitch_review_or_a_deal_cannot_be_marked_helpful(rep_client, rep, other_rep, manager):
    """Only shared content takes helpful marks: a pitch review or a deal is not found."""
    from coaching.pitches import review_pitch

    from .factories import make_challenge, make_deal, make_submission

    submission = make_submission(make_challenge(created_by=manager), submitter=other_rep)
    review, _ = review_pitch(
        submission,
        reviewer=manager,
        scores={criterion.pk: 2 for criterion in submission.challenge.criteria.all()},
        comment="Private to the submitter",
    )
    deal = make_deal("D-1", owner=other_rep)
    for obj in (review, deal):
        assert rep_client.post(toggle_url(obj)).status_code == 404
    assert not HelpfulMark.objects.exists()


@pytest.mark.django_db
def test_only_what_the_person_may_see_can_be_marked(rep_client, rep, other_rep, marketer):
    """A draft tip or one in a section restricted to marketing is not found for a rep."""
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    draft = make_tip("Draft", author=other_rep, live=False)
    private = make_tip("Marketing only", author=other_rep)
    restriction = PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name="Marketing")])
    for tip in (draft, private):
        assert rep_client.post(toggle_url(tip)).status_code == 404
    assert not HelpfulMark.objects.exists()
    from django.test import Client

    marketing_client = Client()
    marketing_client.force_login(marketer)
    assert marketing_client.post(toggle_url(private)).status_code == 302
    assert HelpfulMark.objects.get().user == marketer


@pytest.mark.django_db
def test_tips_microposts_and_live_videos_take_helpful_marks(rep_client, other_rep):
    from .factories import make_video

    items = [make_tip(author=other_rep), make_micropost("Good call", author=other_rep), make_video(author=other_rep)]
    for obj in items:
        assert rep_client.post(toggle_url(obj)).status_code == 302
    assert HelpfulMark.objects.count() == 3
    unpublished = make_video("Not out yet", author=other_rep, live=False)
    assert rep_client.post(toggle_url(unpublished)).status_code == 404


def _pressed(client, url: str) -> int:
    return client.get(url).content.decode().count('aria-pressed="true"')


@pytest.mark.django_db
@pytest.mark.parametrize("kept", [2000, 1], ids=["marks-kept", "too-many-to-keep"])
def test_a_readers_buttons_follow_their_clicks_and_nobody_elses(rep_client, rep, other_rep, client, kept, monkeypatch):
    """What a reader marked is kept in the cache between pages: their click shows at once on the
    feed and the tip page, another reader's pages are not touched, and a reader with more marks
    than are kept is answered from the database."""
    from knowledge import reactions

    monkeypatch.setattr(reactions, "MARKS_KEPT", kept)
    author = make_rep("author")
    first, second = make_tip("First tip", author=author), make_tip("Second tip", author=author)
    mark_helpful(rep, second)
    client.force_login(other_rep)
    assert (_pressed(rep_client, "/"), _pressed(rep_client, first.url), _pressed(client, "/")) == (1, 0, 0)

    rep_client.post(toggle_url(first))
    assert (_pressed(rep_client, "/"), _pressed(rep_client, first.url), _pressed(client, "/")) == (2, 1, 0)
    client.post(toggle_url(second))
    assert (_pressed(rep_client, "/"), _pressed(client, "/"), _pressed(client, second.url)) == (2, 1, 1)

    rep_client.post(toggle_url(first))
    rep_client.post(toggle_url(second))
    assert (_pressed(rep_client, "/"), _pressed(rep_client, second.url), _pressed(client, "/")) == (0, 0, 1)
