"""The leaderboard page: ranks, parts, revenue for managers only, sorting, CSV, drill-down."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.reactions import record_view
from leaderboard import activity, attribution
from leaderboard.models import ActivityEvent
from leaderboard.scoring import weights_for

from .factories import make_account, make_deal, make_rep, make_rep_profile, make_tip

Verb = ActivityEvent.Verb
pytestmark = pytest.mark.django_db
# Warm (the site and each user's permissions come from the cache): session, user, scoring
# settings, reps, counts, and teams for the filter. A manager's revenue and influence for the
# period come from the cache too, until a deal, a rate or the settings change; the first view
# after that reads deals and influence (two more).
REP_QUERIES = 6
MANAGER_QUERIES = 6
MANAGER_AFTER_A_DEAL_CHANGED_QUERIES = 8
# A rep's page, seen by a manager: session, user, the person, the scoring settings of the
# request's site (the site comes from the cache), the rep's row, who is on the board, today's
# counts for everyone (the days before come from the cache), the rep's deal totals, the events,
# influenced deals, the deals behind the revenue.
REP_PAGE_QUERIES = 11
# The analysis: session, user, site, settings, reps, today's counts, teams for the filter
# (revenue, influence and the days before today come from the cache).
ANALYSIS_QUERIES = 7


@pytest.fixture
def board(rep, other_rep):
    """Two reps: peer shares more and wins a deal; rep has a tip that others marked helpful."""
    make_rep_profile(rep, team="East")
    make_rep_profile(other_rep, team="West")
    for _ in range(3):
        activity.record(Verb.SHARED_TIP, actor=other_rep, owner=other_rep)
    activity.record(Verb.SHARED_MICROPOST, actor=rep, owner=rep)
    make_deal("D-1", owner=other_rep, amount="25000.00")
    make_deal("D-2", owner=other_rep, amount="5000.00", status="lost")
    weights_for()  # settings row created once, like a running site
    return rep, other_rep


def test_rep_sees_their_rank_and_the_sharing_table_without_revenue(rep_client, board):
    response = rep_client.get(reverse("leaderboard"))
    assertContains(response, 'Your rank: <span class="my-rank__number">#2</span> of 2', html=False)
    assertContains(response, "Peer")
    assertContains(response, "Helpful received")
    assertNotContains(response, "Closed-won revenue")
    assertNotContains(response, "$25,000")
    assertContains(response, "Acting on your own content earns nothing")


def test_manager_sees_revenue_deals_won_and_win_rate(manager_client, board):
    response = manager_client.get(reverse("leaderboard"))
    assertContains(response, "Closed-won revenue")
    assertContains(response, "$25,000")
    assertContains(response, "50%")  # one won, one lost
    assertContains(response, "Influenced revenue")


def test_reps_cannot_sort_by_revenue_or_export_it(rep_client, board):
    response = rep_client.get(reverse("leaderboard"), {"sort": "-revenue"})
    assert response.status_code == 200
    assertNotContains(response, "$25,000")
    rows = list(
        csv.reader(io.StringIO(b"".join(rep_client.get(reverse("leaderboard_csv")).streaming_content).decode()))
    )
    assert "closed_won_revenue" not in rows[0]
    assert rows[1][:5] == ["1", "peer", "Peer", "West", str(3 * weights_for().shared_tip)]


def test_manager_csv_has_revenue_columns(manager_client, board):
    content = b"".join(manager_client.get(reverse("leaderboard_csv")).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    peer = next(row for row in rows if row["username"] == "peer")
    assert (peer["closed_won_revenue"], peer["deals_won"], peer["win_rate"]) == (
        "25000.00",
        "1",
        "0.500",
    )


def test_sorting_and_team_filter(manager_client, board):
    from leaderboard.models import Team

    by_name = manager_client.get(reverse("leaderboard"), {"sort": "name"}).content.decode()
    assert by_name.index(">Peer<") < by_name.index(">Rep<")
    east = Team.objects.get(name="East")
    response = manager_client.get(reverse("leaderboard"), {"team": east.pk})
    assertContains(response, "1 rep")
    assertNotContains(response, ">Peer<")


def test_custom_period_needs_both_dates(rep_client, board):
    response = rep_client.get(reverse("leaderboard"), {"period": "custom", "start": "2026-01-01"})
    assertContains(response, "Custom dates need both a start and an end.")
    old = timezone.localdate() - timedelta(days=400)
    response = rep_client.get(reverse("leaderboard"), {"period": "custom", "start": old, "end": old})
    assertContains(response, 'Your rank: <span class="my-rank__number">#1</span>', html=False)  # all tied at 0


def test_drill_down_shows_events_and_deals(manager_client, board):
    _rep, peer = board
    response = manager_client.get(reverse("leaderboard_rep", args=["peer"]))
    assertContains(response, "What earned the score")
    assertContains(response, "Shared a tip", count=3)
    assertContains(response, "Deal D-1")
    assertContains(response, "Lost")


def test_drill_down_rows_say_when_in_local_time_what_by_whom_and_what_was_capped(manager_client, rep, settings):
    """Each event row: its time in the site's zone, the kind, who did it, on what, and its points,
    or 0 and why when a fair-play cap left it out."""
    settings.TIME_ZONE = "Asia/Kolkata"  # UTC+5:30, so a row in UTC would show another time
    settings.LEADERBOARD_DAILY_CAP = 1
    rep.first_name, rep.last_name = "Ana", "<b>Lee</b>"
    rep.save()
    noon = datetime(2026, 3, 4, 6, 30, tzinfo=UTC)  # 12:00 in Kolkata
    activity.record(ActivityEvent.Verb.SHARED_TIP, actor=rep, owner=rep, when=noon)
    activity.record(ActivityEvent.Verb.SHARED_TIP, actor=rep, owner=rep, when=noon + timedelta(minutes=5))
    response = manager_client.get(
        reverse("leaderboard_rep", args=["rep"]), {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
    )
    rows = response.content.decode().split("What earned the score")[1].split("</tbody>")[0]
    assert (
        "<tr><td>4 Mar 2026 12:00</td><td>Shared a tip</td>"
        '<td>Ana &lt;b&gt;Lee&lt;/b&gt;</td><td>—</td><td class="num">' in rows
    )
    assert '<tr class="event--skipped"><td>4 Mar 2026 12:05</td><td>Shared a tip</td>' in rows
    assert '<td class="num">0 <span class="muted">(over the daily cap)</span></td></tr>' in rows
    assert rows.index("12:05") < rows.index("12:00")  # newest first


def test_rep_page_shows_the_same_row_as_the_board(manager_client, board):
    """The rep page reads one rep's row, and it matches that rep's row on the board: rank,
    score, counts, revenue and deals, under weights changed from the defaults."""
    rep, peer = board
    weights = weights_for()
    weights.shared_tip, weights.shared_micropost = 2, 9  # rep's one micropost now outscores peer's tips
    weights.save()
    make_deal("D-3", owner=rep, amount="1200.00")
    board_rows = {row.username: row for row in manager_client.get(reverse("leaderboard")).context["rows"]}
    for person in (rep, peer):
        page_row = manager_client.get(reverse("leaderboard_rep", args=[person.username])).context["row"]
        on_board = board_rows[person.username]
        fields = ("rank", "score", "counts", "revenue", "deals_won", "deals_lost", "unconverted")
        assert [getattr(page_row, name) for name in fields] == [getattr(on_board, name) for name in fields]
    assert (board_rows["rep"].rank, board_rows["rep"].score) == (1, 9)


def test_rep_drill_down_of_a_colleague_hides_their_deals(rep_client, board):
    response = rep_client.get(reverse("leaderboard_rep", args=["peer"]))
    assertContains(response, "Shared a tip")
    assertNotContains(response, "Deals behind the revenue")
    assertNotContains(response, "Deal D-1")


def _many_reps(count):
    account = make_account("Acme Corp")
    for number in range(count):
        user = make_rep(f"bulk{number}")
        make_rep_profile(user, team="Bulk")
        tip = make_tip(f"Bulk tip {number}", author=user, account=account)
        activity.record(Verb.SHARED_TIP, actor=user, target=tip, owner=user)
        make_deal(f"BULK-{number}", owner=user, account=account)


@pytest.mark.parametrize("rep_count", [1, 12])
def test_board_queries_do_not_grow_with_reps(rep_client, manager_client, board, rep_count, django_assert_num_queries):
    """The board costs the same number of queries for 3 reps as for 14 (no N+1 per row)."""
    _many_reps(rep_count)
    for client in (rep_client, manager_client):  # the site and permissions reach the cache
        client.get(reverse("leaderboard"))
    with django_assert_num_queries(REP_QUERIES):
        response = rep_client.get(reverse("leaderboard"))
    assertContains(response, "Bulk0")
    with django_assert_num_queries(MANAGER_QUERIES):
        response = manager_client.get(reverse("leaderboard"))
    assertContains(response, "$1,000", count=rep_count)
    attribution.influence_changed()
    with django_assert_num_queries(MANAGER_AFTER_A_DEAL_CHANGED_QUERIES):
        response = manager_client.get(reverse("leaderboard"))
    assertContains(response, "$1,000", count=rep_count)


@pytest.mark.parametrize("rep_count", [1, 30])
def test_rep_page_and_analysis_queries_do_not_grow_with_reps(
    manager_client, board, rep_count, django_assert_num_queries
):
    """One rep's page and the analysis cost the same queries for 3 reps as for 32: the rank
    comes from one read of everyone's counts, not a query per rep."""
    _many_reps(rep_count)
    rep_page = reverse("leaderboard_rep", args=["bulk0"])
    manager_client.get(rep_page)
    with django_assert_num_queries(REP_PAGE_QUERIES):
        response = manager_client.get(rep_page)
    assertContains(response, "Shared a tip")
    assertContains(response, f"of {rep_count + 2}")
    manager_client.get(reverse("leaderboard_analysis"))
    with django_assert_num_queries(ANALYSIS_QUERIES):
        response = manager_client.get(reverse("leaderboard_analysis"))
    assert response.context["result"].n == rep_count + 2


def test_managers_keep_teams_and_profiles_in_the_admin(manager_client, rep_client, board):
    for url in ("/admin/snippets/leaderboard/team/", "/admin/snippets/leaderboard/repprofile/"):
        assert manager_client.get(url).status_code == 200
    response = manager_client.post("/admin/snippets/leaderboard/team/add/", {"name": "North"})
    assert response.status_code == 302
    assert rep_client.get("/admin/snippets/leaderboard/team/").status_code in (302, 403)


# Revenue privacy on the drill-down, the profile and the tip page (issue 15, finding 2)


@pytest.fixture
def influence(rep, other_rep):
    """rep wrote an Acme tip; peer read it 10 days before winning a $40,000 Acme deal."""
    acme = make_account("Acme Corp")
    tip = make_tip("Acme buys on security reviews", author=rep, account=acme)
    record_view(other_rep, tip)
    ActivityEvent.objects.filter(verb="content_viewed").update(created_at=timezone.now() - timedelta(days=10))
    deal = make_deal("W-1", owner=other_rep, account=acme, amount="40000.00")
    return tip, deal


@pytest.fixture
def colleague_client(db):
    client = Client()
    client.force_login(make_rep("third"))
    return client


def _amounts_are_never_read(monkeypatch):
    """The functions that load influenced deals (and so their amounts) fail if called."""

    def refuse(*args, **kwargs):
        raise AssertionError("amounts were read for someone who may not see them")

    monkeypatch.setattr(attribution, "deals_influenced_by_author", refuse)
    monkeypatch.setattr(attribution, "deals_influenced_by_item", refuse)


def test_a_colleague_sees_influence_counted_never_in_dollars(colleague_client, influence, monkeypatch):
    """Another rep learns how many deals a tip helped close, not what they were worth."""
    tip, deal = influence
    _amounts_are_never_read(monkeypatch)
    day = deal.close_date.isoformat()
    for query in ({}, {"period": "custom", "start": day, "end": day}):
        response = colleague_client.get(reverse("leaderboard_rep", args=["rep"]), query)
        assertContains(response, "Acme buys on security reviews</a> helped close 1 won deal")
        assertContains(response, "Together: 1 deal.")
        assertNotContains(response, "$40,000")
        assertNotContains(response, "worth")
        assertNotContains(response, "Deals behind the revenue")
    response = colleague_client.get(reverse("profile", args=["rep"]))
    assertContains(response, "1 won deal")
    assertNotContains(response, "$40,000")
    response = colleague_client.get(tip.url)
    assertContains(response, "This helped close <strong>1 won deal</strong>", html=False)
    assertNotContains(response, "$40,000")


def test_the_author_and_a_manager_still_see_influenced_revenue(rep_client, manager_client, influence):
    response = rep_client.get(reverse("leaderboard_rep", args=["rep"]))
    assertContains(response, "Together: 1 deal worth $40,000.")
    response = manager_client.get(reverse("leaderboard_rep", args=["rep"]))
    assertContains(response, "Deal W-1")
    assertContains(response, "$40,000")


def test_a_colleagues_deal_export_is_refused_and_the_owners_is_not(colleague_client, other_rep_client, influence):
    assert colleague_client.get(reverse("leaderboard_rep_deals_csv", args=["peer"])).status_code == 403
    response = other_rep_client.get(reverse("leaderboard_rep_deals_csv", args=["peer"]))
    assert response.status_code == 200
    assert b"W-1" in b"".join(response.streaming_content)


def test_the_drill_down_of_someone_not_on_the_board_shows_dashes(manager_client, manager):
    """A manager has no board row: the page shows dashes instead of failing with 500."""
    response = manager_client.get(reverse("leaderboard_rep", args=["manager"]))
    assert response.status_code == 200
    assertContains(response, '<p class="stat__label">Win rate</p><p class="stat__value">—</p>', html=True)


# Owner mapping: pick the person by name (issue 14, item 13)


@pytest.fixture
def mayas(db):
    from .factories import make_user

    baker = make_user("mbaker", first_name="Maya", last_name="Baker")
    chen = make_user("mchen", first_name="Maya", last_name="Chen")
    zoe = make_user("zoe", first_name="Zoë", last_name="Ångström")
    for number in range(2):
        make_deal(f"U-{number}", owner=None, owner_name="M. Baker (old CRM)")
    return baker, chen, zoe


def test_find_person_by_name_username_email_any_case_or_accent(mayas):
    from leaderboard.people import AmbiguousPerson, PersonNotFound, find_person

    baker, chen, zoe = mayas
    for typed in ("Maya Baker", "maya  BAKER", "mbaker", "MBaker@Example.com", "Baker, Maya", "Maya Baker (mbaker)"):
        assert find_person(typed).pk == baker.pk, typed
    assert find_person("zoe angstrom").pk == zoe.pk
    with pytest.raises(AmbiguousPerson) as ambiguous:
        find_person("Maya")
    assert [person.username for person in ambiguous.value.candidates] == ["mbaker", "mchen"]
    with pytest.raises(PersonNotFound) as near:
        find_person("Zo")  # one partial match is offered, never taken
    assert [person.username for person in near.value.near] == ["zoe"]


def test_suggestions_match_each_word_typed_for_managers_only(manager_client, rep_client, mayas):
    url = reverse("leaderboard_people")
    response = manager_client.get(url, {"rep": "may"})
    assertContains(response, '<option value="Maya Baker (mbaker)">mbaker@example.com</option>', html=True)
    assertContains(response, '<option value="Maya Chen (mchen)">mchen@example.com</option>', html=True)
    response = manager_client.get(url, {"rep": "maya b"})
    assertContains(response, "Maya Baker (mbaker)")
    assertNotContains(response, "Maya Chen")
    # The browser lists only options containing the typed text: the unaccented name is there.
    assertContains(
        manager_client.get(url, {"rep": "ANGS"}),
        '<option value="Zoë Ångström (zoe)">zoe@example.com · zoe angstrom</option>',
        html=True,
    )
    assert rep_client.get(url, {"rep": "may"}).status_code == 403


def test_mapping_an_owner_by_full_name_links_the_deals(manager_client, mayas):
    response = manager_client.post(
        reverse("leaderboard_owners"),
        {"owner_name": "M. Baker (old CRM)", "rep": "Maya Baker"},
        follow=True,
    )
    assertContains(response, "Linked 2 deal(s) of “M. Baker (old CRM)” to Maya Baker")


def test_an_ambiguous_name_says_who_it_could_be_and_keeps_the_text(manager_client, mayas):
    response = manager_client.post(reverse("leaderboard_owners"), {"owner_name": "M. Baker (old CRM)", "rep": "maya"})
    assertContains(
        response,
        "“maya” could be 2 people: Maya Baker (mbaker), Maya Chen (mchen). Pick one from the suggestions.",
        count=2,  # at the top, and beside the box
    )
    assertContains(response, 'value="maya" aria-invalid="true"', html=False)
    from leaderboard.models import Deal

    assert not Deal.objects.filter(owner__isnull=False).exists()


@pytest.mark.parametrize("people_count", [1, 20])
def test_suggestions_cost_one_query_however_many_people(manager_client, mayas, people_count, django_assert_num_queries):
    """Asked on every key press: session, user, then one read of the people."""
    for number in range(people_count):
        make_rep(f"maya{number}")
    url = reverse("leaderboard_people")
    manager_client.get(url, {"rep": "maya"})  # permissions reach the cache
    with django_assert_num_queries(3):
        response = manager_client.get(url, {"rep": "maya"})
    assert response.content.decode().count("<option") == min(people_count + 2, 8)
