"""Every URL pattern, as every role, against objects that belong to someone else.

The anonymous crawl in test_foundation walks the resolver with sample values; this one fills
each route's parameters with another person's tip, post, comment, pitch, token and deals, and
asks as anonymous, rep, marketing and manager. Nothing may answer 500, the pages one role may
not open answer 403, 404 or a redirect to sign in, and a rep never sees another rep's revenue.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_comments_xtd.models import XtdComment

from coaching.models import PitchReview
from knowledge.feeds import feed_token_for
from leaderboard.models import ApiToken
from notifications.models import Announcement, AnnouncementReceipt, Kind, Notification
from notifications.recording import notify
from notifications.unsubscribe import token_for

from .factories import (
    make_account,
    make_challenge,
    make_deal,
    make_manager,
    make_micropost,
    make_rep,
    make_rep_profile,
    make_submission,
    make_tip,
    make_video,
)
from .test_foundation import _regex_sample, _sample_path

ROLES = ("anonymous", "rep", "marketing", "manager")
ADMIN = re.compile(r"^/(admin|django-admin)/")
# Another rep's won deal: this amount must never reach a rep, in any format.
SECRET_AMOUNT = "987654.00"
REVENUE_MARKERS = ("987,654", "987654", "987.654")
REFUSED = {302, 403, 404, 405}


@dataclass
class World:
    """Objects owned by people other than the three signed-in roles."""

    peer: object
    other_manager: object
    tip: object
    draft_tip: object
    post: object
    video: object
    challenge: object
    submission: object
    review: object
    comment: object
    token: object
    account: object


@pytest.fixture
def world(db):
    peer = make_rep("peer", first_name="Pat", last_name="Peer")
    other_manager = make_manager("boss2", first_name="Bo", last_name="Boss")
    make_rep_profile(peer, team="West")
    account = make_account("Globex Corp")
    make_deal("SECRET-1", owner=peer, account=account, amount=SECRET_AMOUNT, name="Globex expansion")
    tip = make_tip("Peer's pricing tip", author=peer, account=account, tags=["pricing"])
    draft_tip = make_tip("Peer's unfinished tip", author=peer, live=False)
    post = make_micropost("Peer's quick win #pricing", author=peer)
    video = make_video("Peer's discovery talk", author=peer)
    challenge = make_challenge(created_by=other_manager)
    submission = make_submission(challenge, submitter=peer)
    review = PitchReview.objects.create(submission=submission, reviewer=other_manager, comment="Private coaching note")
    comment = XtdComment.objects.create(
        content_type=ContentType.objects.get_for_model(tip),
        object_pk=str(tip.pk),
        site_id=1,
        user=peer,
        comment="Peer's comment",
    )
    token = ApiToken(user=other_manager, name="Boss's CRM")
    token.issue_key()
    token.save()
    return World(
        peer, other_manager, tip, draft_tip, post, video, challenge, submission, review, comment, token, account
    )


def route_kwargs(world: World) -> dict[str, dict]:
    """Each parameterised site route's parameters, pointing at someone else's object."""
    tip_pk = {"pk": world.tip.pk}
    post_pk = {"pk": world.post.pk}
    comment = {"comment_id": world.comment.pk}
    feed = {"key": feed_token_for(world.peer).key}  # another person's private feed key
    peer_notification = notify(
        [world.peer], Kind.MENTION, actor=world.other_manager, summary="mentioned you", url=world.tip.url
    )[0]
    # An announcement to the peer alone: a rep may not open it; marketing and managers see its receipts.
    to_peer = Announcement.objects.create(title="For the peer", body="Only them", author=world.other_manager)
    AnnouncementReceipt.objects.create(announcement=to_peer, user=world.peer)
    return {
        "announcement_detail": {"pk": to_peer.pk},
        "announcement_read": {"pk": to_peer.pk},
        "private_feed_tips": feed,
        "private_feed_microposts": feed,
        "private_feed_videos": feed,
        "private_feed_tag": {**feed, "value": "pricing"},
        "private_feed_account": {**feed, "value": world.account.pk},
        "private_feed_person": {**feed, "value": world.other_manager.username},
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "api_token_revoke": {"pk": world.token.pk},
        "comment_edit": comment,
        "comments-xtd-like": comment,
        "comments-xtd-dislike": comment,
        "comments-delete": comment,
        "account_detail": {"pk": world.account.pk},
        "tag_detail": {"slug": "pricing"},
        "profile": {"username": world.peer.username},
        "tip_edit": tip_pk,
        "micropost_detail": post_pk,
        "micropost_edit": post_pk,
        "micropost_delete": post_pk,
        "helpful_toggle": {
            "content_type_id": ContentType.objects.get_for_model(PitchReview).pk,
            "object_id": world.review.pk,
        },
        "view_beacon": {"content_type_id": world.draft_tip.content_type_id, "object_id": world.draft_tip.pk},
        "coaching_captions": {"pk": world.video.pk},
        "coaching_progress": {"pk": world.video.pk},
        "challenge_detail": {"pk": world.challenge.pk},
        "pitch_averages_csv": {"pk": world.challenge.pk},
        "pitch_submit": {"pk": world.challenge.pk},
        "submission_detail": {"pk": world.submission.pk},
        "pitch_review": {"pk": world.submission.pk},
        "leaderboard_rep": {"username": world.peer.username},
        "leaderboard_rep_deals_csv": {"username": world.peer.username},
        "leaderboard_import_result": {"result_id": "00000000-0000-0000-0000-000000000001"},
        "wagtailcore_authenticate_with_password": {"page_view_restriction_id": 1, "page_id": world.tip.pk},
        "wagtaildocs_authenticate_with_password": {"restriction_id": 1},
        "notification_open": {"pk": peer_notification.pk},
        "notification_read": {"pk": peer_notification.pk},
        "follow_toggle": {"content_type_id": ContentType.objects.get_for_model(PitchReview).pk, "object_id": 1},
        "notifications_unsubscribe": {"token": token_for(world.peer)},
        "openid_connect_login": {"provider_id": "company"},  # 404 here: no provider is set up
        "openid_connect_callback": {"provider_id": "company"},
    }


def site_paths(world: World) -> list[str]:
    """One path per site URL pattern (not the two admins), parameters filled from ``world``."""
    kwargs = route_kwargs(world)
    paths, missing = [], []

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            route = getattr(entry.pattern, "_route", None)
            if isinstance(entry, URLResolver):
                piece = _sample_path(str(route)) if route is not None else _regex_sample(entry.pattern.regex.pattern)
                walk(entry, prefix + piece)
                continue
            if not isinstance(entry, URLPattern):
                continue
            path = "/" + prefix.lstrip("/")
            if ADMIN.match(path + str(route or "")):
                continue
            if route is None:  # regex routes: media, documents, Wagtail's page tree
                continue
            params = re.findall(r"<(?:\w+:)?(\w+)>", str(route))
            if params:
                if entry.name not in kwargs:
                    missing.append(f"{path}{route} ({entry.name})")
                    continue
                values = kwargs[entry.name]
                route = re.sub(r"<(?:\w+:)?(\w+)>", lambda match, given=values: str(given[match.group(1)]), str(route))
            paths.append(path + str(route))

    walk(get_resolver())
    assert not missing, f"Give these routes someone else's object in route_kwargs: {missing}"
    pages = [world.tip.url, world.draft_tip.url, world.video.url, "/tips/", "/coaching/", "/"]
    media = [f"/media/{world.submission.media.file.name}"]  # another rep's pitch video
    return sorted(set(paths)) + pages + media


def clients(rep, marketer, manager) -> dict[str, Client]:
    signed_in = {}
    for role, user in (("rep", rep), ("marketing", marketer), ("manager", manager)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        signed_in[role] = client
    return {"anonymous": Client(raise_request_exception=False), **signed_in}


def crawl(clients_by_role: dict[str, Client], paths: list[str]) -> dict[tuple[str, str], object]:
    return {(role, path): client.get(path) for role, client in clients_by_role.items() for path in paths}


def test_every_site_route_as_every_role_against_someone_elses_objects(world, rep, marketer, manager):
    paths = site_paths(world)
    assert len(paths) > 50, paths
    answers = crawl(clients(rep, marketer, manager), paths)

    errors = [(role, path, r.status_code) for (role, path), r in answers.items() if r.status_code >= 500]
    assert not errors, errors

    for (role, path), response in answers.items():
        # The feeds go by their key, an unsubscribe link by its signed token, Slack by its signature;
        # SAML sign-in is sign-in.
        public = (
            "/saml2/",
            "/accounts/",
            "/_util/login/",
            "/api/",
            "/healthz",
            "/favicon",
            "/feeds/private/",
            "/notifications/unsubscribe/",
            "/slack/",  # Slack's calls, refused unless signed with the app's secret (test_slack_incoming.py)
            "/scim/v2/",  # the identity provider's calls, refused without its bearer token (test_scim_refused.py)
        )
        if role == "anonymous" and not path.startswith(public):
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (path, response)

    for (role, path), response in answers.items():
        if role == "rep" and response.status_code == 200:
            body = b"".join(response) if response.streaming else response.content
            leaked = [marker for marker in REVENUE_MARKERS if marker.encode() in body]
            assert not leaked, (path, leaked)

    expected = {
        # path: answers for (rep, marketing, manager); "ok" is 200
        "/leaderboard/export.csv": ("ok", "ok", "ok"),  # a rep's copy has no revenue (checked above)
        "/leaderboard/analysis/": ("refused", "refused", "ok"),
        f"/coaching/challenges/{world.challenge.pk}/averages.csv": ("refused", "refused", "ok"),
        "/coaching/challenges/new/": ("refused", "ok", "ok"),
        f"/leaderboard/reps/{world.peer.username}/deals.csv": ("refused", "refused", "ok"),
        "/leaderboard/import/": ("refused", "refused", "ok"),
        "/leaderboard/owners/": ("refused", "refused", "ok"),
        "/leaderboard/owners.csv": ("refused", "refused", "ok"),
        "/account/api-tokens/": ("refused", "refused", "ok"),
        f"/account/api-tokens/{world.token.pk}/revoke/": ("refused", "refused", "refused"),
        f"/tips/{world.tip.pk}/edit/": ("refused", "ok", "refused"),
        f"/microposts/{world.post.pk}/edit/": ("refused", "refused", "refused"),
        f"/microposts/{world.post.pk}/delete/": ("refused", "refused", "refused"),  # POST only
        f"/comments/{world.comment.pk}/edit/": ("refused", "refused", "refused"),
        world.draft_tip.url: ("refused", "refused", "refused"),
        world.tip.url: ("ok", "ok", "ok"),
        f"/leaderboard/reps/{world.peer.username}/": ("ok", "ok", "ok"),
        f"/notifications/{Notification.objects.get(recipient=world.peer).pk}/open/": ("refused",) * 3,
        "/notifications/announcements/new/": ("refused", "ok", "refused"),
        f"/notifications/announcements/{Announcement.objects.get().pk}/": ("refused", "ok", "ok"),
    }
    wrong = []
    for path, outcomes in expected.items():
        for role, outcome in zip(("rep", "marketing", "manager"), outcomes, strict=True):
            status = answers[(role, path)].status_code
            if (outcome == "ok") != (status == 200) or (outcome == "refused" and status not in REFUSED):
                wrong.append((role, path, status, outcome))
    assert not wrong, wrong


def test_state_changes_on_someone_elses_objects_are_refused(world, rep):
    """A rep posts to every edit, delete, revoke and review route of another person's things."""
    client = Client(raise_request_exception=False)
    client.force_login(rep)
    peer_notification = notify([world.peer], Kind.MENTION, actor=rep, summary="mentioned you", url="/")[0]
    attempts = {
        f"/tips/{world.tip.pk}/edit/": {"title": "Hijacked", "body": "Mine now"},
        f"/microposts/{world.post.pk}/edit/": {"text": "Hijacked"},
        f"/microposts/{world.post.pk}/delete/": {},
        f"/comments/{world.comment.pk}/edit/": {"comment": "Hijacked"},
        f"/comments/delete/{world.comment.pk}/": {},
        f"/account/api-tokens/{world.token.pk}/revoke/": {},
        f"/helpful/{ContentType.objects.get_for_model(PitchReview).pk}/{world.review.pk}/": {},
        "/leaderboard/import/": {},
        "/leaderboard/owners/": {"owner_name": "Someone", "rep": rep.username},
        f"/notifications/{peer_notification.pk}/read/": {},
    }
    answers = {path: client.post(path, data).status_code for path, data in attempts.items()}
    assert all(status in {403, 404} for status in answers.values()), answers
    world.post.refresh_from_db()
    world.token.refresh_from_db()
    assert world.post.text == "Peer's quick win #pricing" and world.token.revoked_at is None
    assert XtdComment.objects.get(pk=world.comment.pk).comment == "Peer's comment"
    assert world.tip.get_latest_revision_as_object().title == "Peer's pricing tip"
    peer_notification.refresh_from_db()
    assert peer_notification.read_at is None


def admin_paths() -> list[str]:
    """Every route under /admin/ and /django-admin/: object keys as numbers, other values as samples."""
    paths = []

    def fill(match) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if name in ("pk", "object_id", "id") or name.endswith("_id"):
            return "1"  # a key: admin views look it up as a number, and pages only ever link numbers
        return _sample_path(f"<{converter}:{name}>")

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            route = getattr(entry.pattern, "_route", None)
            if route is None:
                piece = _regex_sample(entry.pattern.regex.pattern)
            else:
                piece = re.sub(r"<(?:(\w+):)?(\w+)>", fill, str(route))
            if isinstance(entry, URLResolver):
                walk(entry, prefix + piece)
            elif isinstance(entry, URLPattern):
                paths.append("/" + (prefix + piece).lstrip("/"))

    walk(get_resolver())
    # Wagtail's /admin/failwhale/ raises on purpose (to test error reporting); logging out ends the crawl.
    return sorted({path for path in paths if ADMIN.match(path) and "logout" not in path and "failwhale" not in path})


# Open to anyone by design: the admin's sign-in and reset pages and its static sprite and translations.
ADMIN_PUBLIC = re.compile(r"^/(admin|django-admin)/(login/|password_reset/|jsi18n/$|sprite/$)")


@pytest.mark.slow
def test_every_admin_route_refuses_reps_and_never_fails_for_anyone(world, rep, marketer, manager):
    paths = admin_paths()
    assert len(paths) > 100
    answers = crawl(clients(rep, marketer, manager), paths)
    errors = [(role, path, r.status_code) for (role, path), r in answers.items() if r.status_code >= 500]
    assert not errors, errors
    opened = [path for path in paths if answers[("rep", path)].status_code == 200 and not ADMIN_PUBLIC.match(path)]
    assert opened == [], opened
    assert answers[("rep", "/admin/")].status_code in REFUSED
    assert answers[("marketing", "/admin/")].status_code == 200
    assert answers[("manager", "/admin/")].status_code == 200
