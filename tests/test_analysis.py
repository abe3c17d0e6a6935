"""Sharing versus results: Spearman with a bootstrap interval, quartile medians, tenure, honesty."""

from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from leaderboard import activity
from leaderboard.analysis import (
    BLOCK,
    RESAMPLES,
    SEED,
    bootstrap_partial_spearman,
    bootstrap_spearman,
    partial_spearman,
    quarter_medians,
    rankdata,
    resampled_ranks,
    spearman,
)
from leaderboard.models import ActivityEvent
from leaderboard.templatetags.leaderboard_tags import rep_page

from .factories import make_deal, make_rep, make_rep_profile

pytestmark = pytest.mark.django_db


def test_ranks_share_ties():
    assert list(rankdata(np.array([10.0, 20.0, 20.0, 5.0]))) == [2.0, 3.5, 3.5, 1.0]


def test_spearman_on_known_data():
    assert spearman([1, 2, 3, 4, 5], [10, 20, 30, 40, 500]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]) == pytest.approx(-1.0)
    # Textbook example (n=10, no ties): rho = 1 - 6*sum(d^2)/(n(n^2-1)).
    x = [86, 97, 99, 100, 101, 103, 106, 110, 112, 113]
    y = [2, 20, 28, 27, 50, 29, 7, 17, 6, 12]
    assert spearman(x, y) == pytest.approx(-29 / 165)
    assert spearman([1, 1, 1, 1], [1, 2, 3, 4]) is None


def test_bootstrap_interval_is_repeatable_and_brackets_the_estimate():
    generator = np.random.default_rng(1)
    x = generator.normal(size=60)
    y = x + generator.normal(size=60)
    low, high = bootstrap_spearman(x, y)
    assert low < spearman(x, y) < high
    assert bootstrap_spearman(x, y) == (low, high)


def test_resamples_ranked_at_once_rank_as_each_resample_alone():
    """The bootstrap ranks every resample in one pass; each row equals ranking that resample."""
    generator = np.random.default_rng(3)
    values = generator.integers(0, 8, 40).astype(float)  # many ties, as zero scores give
    picks = generator.integers(0, 40, (25, 40))
    together = resampled_ranks(values, picks)
    for row, chosen in zip(together, picks, strict=True):
        assert list(row) == list(rankdata(values[chosen]))


def test_bootstrap_intervals_match_the_statistic_resample_by_resample():
    """The batched intervals are the percentiles of the plain statistic over the same resamples."""
    generator = np.random.default_rng(4)
    tenure = generator.uniform(0, 10, 50)
    sharing = tenure + generator.normal(size=50)
    revenue = sharing + generator.normal(size=50)
    picks = np.random.default_rng(SEED).integers(0, 50, (RESAMPLES, 50))
    for statistic, bootstrap, columns in (
        (spearman, bootstrap_spearman, (sharing, revenue)),
        (partial_spearman, bootstrap_partial_spearman, (sharing, revenue, tenure)),
    ):
        one_by_one = [statistic(*(column[chosen] for column in columns)) for chosen in picks[:BLOCK]]
        low, high = np.percentile(one_by_one, [2.5, 97.5])
        assert bootstrap(*columns, resamples=BLOCK) == (pytest.approx(low), pytest.approx(high))


def test_tenure_explains_an_association_away():
    generator = np.random.default_rng(2)
    tenure = generator.uniform(0, 10, 200)
    sharing = tenure + generator.normal(scale=0.5, size=200)
    revenue = tenure + generator.normal(scale=0.5, size=200)
    assert spearman(sharing, revenue) > 0.8
    assert abs(partial_spearman(sharing, revenue, tenure)) < 0.2


def test_quarter_medians():
    assert quarter_medians([1, 2, 3, 4, 5, 6, 7, 8], [0, 10, 20, 30, 40, 50, 60, 70]) == (
        65.0,
        5.0,
        2,
    )


def _reps(count):
    today = timezone.localdate()
    for number in range(count):
        user = make_rep(f"r{number:02d}")
        make_rep_profile(user, start_date=today - timedelta(days=200 * number))
        for _ in range(number):
            activity.record(ActivityEvent.Verb.SHARED_MICROPOST, actor=user, owner=user)
        make_deal(f"A-{number}", owner=user, amount=f"{1000 * number}.00")


def test_too_few_reps_says_so_instead_of_concluding(manager_client):
    _reps(4)
    response = manager_client.get(reverse("leaderboard_analysis"))
    assertContains(response, "Too little data")
    assertContains(response, "Association, not proof of cause")
    assertNotContains(response, "Spearman rank correlation")
    assertNotContains(response, "chart.umd.min.js")


def test_analysis_page_shows_correlation_interval_and_numbers(manager_client):
    _reps(12)
    response = manager_client.get(reverse("leaderboard_analysis"))
    assertContains(response, "Association, not proof of cause")
    assertContains(response, "Spearman rank correlation")
    assertContains(response, "+1.00")  # sharing and revenue rise together here
    assertContains(response, "95% bootstrap interval")
    assertContains(response, "n = 12")
    assertContains(response, "Median revenue, top quarter of sharers")
    assertContains(response, "Correlation with tenure held constant")
    assertContains(response, "Within tenure bands")
    assertContains(response, 'id="sharing-points"')
    assertContains(response, "vendor/chartjs/chart.umd.min.js")
    assertContains(response, '<td class="num">$11,000</td>', html=False)  # the numbers are in a table too


def test_reps_cannot_see_the_analysis(rep_client):
    response = rep_client.get(reverse("leaderboard_analysis"))
    assertContains(response, "only managers can see", status_code=403)


def test_a_short_window_where_nearly_everyone_has_no_revenue_says_too_little_data(
    manager_client,
):
    """12 reps share, but only 2 closed anything in the two days: no coefficient, and why."""
    today = timezone.localdate()
    for number in range(12):
        user = make_rep(f"r{number:02d}")
        make_rep_profile(user, start_date=today - timedelta(days=200 * number))
        for _ in range(number + 1):
            activity.record(ActivityEvent.Verb.SHARED_MICROPOST, actor=user, owner=user)
        if number >= 10:
            make_deal(f"A-{number}", owner=user, amount=f"{1000 * number}.00")
    window = {"period": "custom", "start": today - timedelta(days=1), "end": today}
    response = manager_client.get(reverse("leaderboard_analysis"), window)
    assertContains(response, "Too little data")
    assertContains(response, "Only 2 of 12 reps have closed-won revenue above zero")
    assertNotContains(response, "Spearman rank correlation")
    assertNotContains(response, "95% bootstrap interval")
    assertContains(response, '<td class="num">$11,000</td>', html=False)  # the numbers stay


def test_figures_where_most_reps_tie_say_too_little_data():
    from leaderboard.analysis import too_little_spread

    scores = list(range(1, 13))
    tied_revenue = [5000.0] * 7 + [100.0, 200.0, 300.0, 400.0, 500.0]
    assert too_little_spread(scores, tied_revenue) == [
        "7 of 12 reps have exactly the same closed-won revenue; with most reps tied, ranks say little."
    ]
    few_sharers = [0] * 9 + [3, 4, 5]
    [reason] = too_little_spread(few_sharers, [float(n) for n in range(1, 13)])
    assert reason.startswith("Only 3 of 12 reps have a sharing score above zero")
    assert too_little_spread(scores, [float(n) for n in range(12)]) == []


def test_every_rep_in_the_numbers_links_to_their_page_even_with_an_odd_username(manager_client):
    _reps(12)
    odd = make_rep("josé.o'neil+sales@example.com")
    make_rep_profile(odd)
    response = manager_client.get(reverse("leaderboard_analysis"))
    expected = escape(reverse("leaderboard_rep", args=[odd.username]))
    assert "jos%C3%A9.o&#x27;neil+sales@example.com" in expected  # quoted as reverse quotes, then escaped
    assert f'href="{expected}?' in response.content.decode()


def test_rep_links_keep_the_path_huddle_is_served_under():
    """Behind a proxy at /huddle/, the once-reversed rep links carry the prefix as {% url %} does."""
    try:
        for prefix in ("/", "/huddle/", "/"):
            set_script_prefix(prefix)
            expected = f"{prefix}leaderboard/reps/ana.lee/"
            assert rep_page("ana.lee") == reverse("leaderboard_rep", args=["ana.lee"]) == expected
    finally:
        set_script_prefix("/")
