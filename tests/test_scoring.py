"""Activity events from signals, fair-play rules and weights applied when the board is read."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_comments.signals import comment_was_posted

from coaching.pitches import review_pitch
from knowledge import signals
from knowledge.reactions import mark_helpful, record_view, unmark_helpful
from leaderboard import activity
from leaderboard.models import ActivityEvent
from leaderboard.scoring import PeriodKey, leaderboard, period_for, weights_for

from .factories import (
    make_account,
    make_challenge,
    make_micropost,
    make_rep,
    make_submission,
    make_tip,
)

Verb = ActivityEvent.Verb
pytestmark = pytest.mark.django_db


def _row(rows, user):
    return next(row for row in rows if row.user_id == user.pk)


def _board():
    return leaderboard(period_for(PeriodKey.LAST_30))


def test_sharing_viewing_and_helpful_marks_become_events(rep, other_rep):
    acme = make_account("Acme Corp")
    tip = make_tip(author=rep, account=acme)
    signals.shared.send(sender=type(tip), instance=tip, user=rep)
    record_view(other_rep, tip)
    mark_helpful(other_rep, tip)
    make_micropost(author=rep, text="Lead with the customer's words")
    events = {(event.verb, event.actor.username, event.rep.username) for event in ActivityEvent.objects.all()}
    assert events == {
        (Verb.SHARED_TIP, "rep", "rep"),
        (Verb.CONTENT_VIEWED, "peer", "rep"),
        (Verb.HELPFUL_RECEIVED, "peer", "rep"),
        (Verb.SHARED_MICROPOST, "rep", "rep"),
    }
    view = ActivityEvent.objects.get(verb=Verb.CONTENT_VIEWED)
    assert (view.target, view.account, view.owner) == (tip, acme, rep)


def test_taking_a_helpful_mark_back_removes_its_points(rep, other_rep):
    tip = make_tip(author=rep)
    mark_helpful(other_rep, tip)
    assert _row(_board(), rep).parts["helpful"] == 1
    unmark_helpful(other_rep, tip)
    assert _row(_board(), rep).parts["helpful"] == 0


def test_comments_count_for_the_commenter_but_not_on_own_content(rep, other_rep):
    tip = make_tip(author=rep)

    class Posted:  # what comments-xtd sends: an object with user and content_object
        def __init__(self, user):
            self.user, self.content_object = user, tip
            self.content_type, self.object_pk = ContentType.objects.get_for_model(tip), tip.pk

    comment_was_posted.send(sender=Posted, comment=Posted(other_rep), request=None)
    comment_was_posted.send(sender=Posted, comment=Posted(rep), request=None)
    rows = _board()
    assert _row(rows, other_rep).parts["comments"] == 1
    assert _row(rows, rep).parts["comments"] == 0
    own = ActivityEvent.objects.get(actor=rep, verb=Verb.COMMENTED)
    assert own.skipped == ActivityEvent.Skipped.OWN_CONTENT


def test_coaching_review_scores_for_reviewer_and_submitter(rep, other_rep, manager):
    challenge = make_challenge(created_by=manager)
    submission = make_submission(challenge, submitter=rep)
    review_pitch(
        submission,
        reviewer=other_rep,
        scores={c.pk: 4 for c in challenge.criteria.all()},
        comment="Clear opening.",
    )
    rows = _board()
    assert _row(rows, other_rep).parts["coaching"] == 1
    assert _row(rows, rep).counts[Verb.COACHING_RECEIVED] == 1
    assert _row(rows, rep).counts[Verb.SHARED_PITCH] == 1


def test_daily_cap_per_kind(rep, settings):
    settings.LEADERBOARD_DAILY_CAP = 3
    tips = [make_tip(f"Tip {n}", author=rep) for n in range(5)]
    for tip in tips:
        activity.record(Verb.SHARED_TIP, actor=rep, target=tip, owner=rep)
    assert ActivityEvent.objects.filter(skipped="").count() == 3
    assert ActivityEvent.objects.filter(skipped=ActivityEvent.Skipped.DAILY_CAP).count() == 2
    assert _row(_board(), rep).parts["tips"] == 3


def test_helpful_marks_between_the_same_two_people_are_capped_per_week(rep, other_rep, settings):
    settings.LEADERBOARD_HELPFUL_PAIR_WEEKLY_CAP = 2
    tips = [make_tip(f"Tip {n}", author=rep) for n in range(4)]
    for tip in tips:
        mark_helpful(other_rep, tip)
    assert _row(_board(), rep).parts["helpful"] == 2
    # A week later the same colleague's marks count again.
    old = timezone.now() - timedelta(days=8)
    ActivityEvent.objects.filter(verb=Verb.HELPFUL_RECEIVED).update(created_at=old)
    third = make_tip("Tip later", author=rep)
    mark_helpful(other_rep, third)
    assert ActivityEvent.objects.filter(verb=Verb.HELPFUL_RECEIVED, skipped="").count() == 3


def test_changing_a_weight_rescores_history(rep, other_rep):
    tip = make_tip(author=rep)
    activity.record(Verb.SHARED_TIP, actor=rep, target=tip, owner=rep)
    mark_helpful(other_rep, tip)
    scoring = weights_for()
    assert _row(_board(), rep).score == scoring.shared_tip + scoring.helpful_received
    scoring.helpful_received = 20
    scoring.shared_tip = 1
    scoring.save()
    assert _row(_board(), rep).score == 21


def test_ties_share_a_rank_and_events_outside_the_period_do_not_count(rep, other_rep):
    third = make_rep("third")
    for user in (rep, other_rep):
        activity.record(Verb.SHARED_MICROPOST, actor=user, owner=user)
    activity.record(Verb.SHARED_MICROPOST, actor=third, owner=third, when=timezone.now() - timedelta(days=100))
    rows = _board()
    assert [(_row(rows, u).rank) for u in (rep, other_rep, third)] == [1, 1, 3]


def test_periods_cover_the_expected_dates():
    today = timezone.localdate().replace(year=2026, month=11, day=26)
    this = period_for(PeriodKey.THIS_QUARTER, today=today)
    last = period_for(PeriodKey.LAST_QUARTER, today=today)
    ytd = period_for(PeriodKey.YEAR_TO_DATE, today=today)
    assert (str(this.start), str(this.end)) == ("2026-10-01", "2026-12-31")
    assert (str(last.start), str(last.end)) == ("2026-07-01", "2026-09-30")
    assert (str(ytd.start), str(ytd.end)) == ("2026-01-01", "2026-11-26")
    last_30 = period_for(PeriodKey.LAST_30, today=today)
    assert (last_30.end - last_30.start).days == 29


def test_managers_edit_weights_in_the_admin_and_reps_cannot(manager_client, rep_client, rep):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    url = f"/admin/settings/leaderboard/scoringsettings/{site.pk}/"
    page = manager_client.get(url)
    assert page.status_code == 200
    form = dict(weights_for().weights())
    form.update(helpful_received=12, influence_window_days=60, reporting_currency="USD")
    response = manager_client.post(url, form)
    assert response.status_code == 302
    assert (weights_for().helpful_received, weights_for().influence_window_days) == (12, 60)
    assert rep_client.get(url).status_code in (302, 403)
