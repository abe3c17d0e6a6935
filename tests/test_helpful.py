"""Helpful marks and views: one per user, not your own, undo, one view a day, signals."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from pytest_django.asserts import assertContains

from knowledge import signals
from knowledge.models import ContentView, HelpfulMark, TipPage
from knowledge.reactions import ReactionRefused, mark_helpful, record_view, unmark_helpful

from .factories import make_micropost, make_rep, make_tip


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
        (name, call["user"], call["author"], call["undone"])
        for name, call in received
        if name == "helpful_marked"
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
def test_works_for_any_object_with_an_author_or_presenter(rep, other_rep):
    """Coaching videos have a presenter; the rules read either attribute."""

    class Video:  # a stand-in with the shape of a coaching video
        pk = 42
        presenter_id = other_rep.pk

    from knowledge.reactions import author_id_of

    assert author_id_of(Video()) == other_rep.pk


@pytest.mark.django_db
def test_a_view_counts_once_per_user_and_day_and_never_for_the_author(
    rep_client, rep, other_rep, received
):
    author_client_tip = make_tip(author=other_rep)
    rep_client.get(author_client_tip.url)
    rep_client.get(author_client_tip.url)
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
