"""The ground every feature stands on: sign-in everywhere, roles, the page tree, health, media, settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site as DjangoSite
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.models import Page, Site

from knowledge.models import Account
from knowledge.roles import MANAGERS, MARKETING, REPS

from .factories import make_user

ROOT = Path(__file__).resolve().parent.parent
# Open to anonymous visitors by design: the login flow, the health check, static files,
# the Wagtail admin (it has its own login page), the token-authenticated API and the feeds a
# reader opens with a personal key (tests/test_feed.py), Slack (by signature), SAML and OIDC sign-in (404 until set
# up), SCIM provisioning (by its bearer token, 404 until one is set up: tests/test_scim_refused.py).
# Wagtail's /_util/login/ is a sign-in page too (for pages restricted to signed-in users),
# a subclass of Django's LoginView.
PUBLIC = re.compile(
    r"^/(accounts/(login|password_reset|reset|oidc)/|_util/login/|django-admin/login/|healthz$|favicon\.ico$|static/|admin/|api/|feeds/private/|notifications/unsubscribe/|saml2/|slack/|scim/v2/)"
)
SAMPLE_VALUES = {
    "int": "1",
    "slug": "sample",
    "str": "sample",
    "path": "sample/file.txt",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


def _sample_path(route: str) -> str:
    def sample(match):
        converter = match.group(1) or "str"
        return SAMPLE_VALUES.get(converter, "1")

    return re.sub(r"<(?:(\w+):)?\w+>", sample, route)


def _regex_sample(regex: str) -> str:
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    text = re.sub(r"\(\?P<\w+>[^)]*\)\??", "1", text)  # named groups: a plausible value
    text = re.sub(r"\((?:\?:)?[^()]*\)[*?]", "", text)  # optional groups: leave out
    text = re.sub(r"\(([^()]*)\)", r"\1", text)
    text = text.replace("\\d+", "1").replace(".*", "sample")  # unnamed groups: a plausible value too
    return text.replace("\\", "").replace("?", "").replace("+", "").replace("*", "")


def all_url_paths(resolver=None, prefix="") -> list[str]:
    """One concrete path for every URL pattern the site has, found by walking the resolver."""
    resolver = resolver or get_resolver()
    paths = []
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        route = getattr(pattern, "_route", None)
        piece = _sample_path(str(route)) if route is not None else _regex_sample(pattern.regex.pattern)
        if isinstance(entry, URLResolver):
            paths.extend(all_url_paths(entry, prefix + piece))
        elif isinstance(entry, URLPattern):
            paths.append("/" + (prefix + piece).lstrip("/"))
    return sorted(set(paths))


@pytest.mark.django_db
def test_every_url_redirects_anonymous_visitors_to_login(client):
    """Iterates the URL resolver: no page but the public ones answers an anonymous visitor."""
    paths = [path for path in all_url_paths() if not PUBLIC.match(path)]
    assert len(paths) > 20, paths  # the walk found the app, comment and Wagtail routes
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, (path, response.status_code)
        # Django's admin index sends a visitor to the admin's own sign-in page, as Wagtail's does.
        logins = ("/accounts/login/?next=", "/django-admin/login/?next=")
        assert response["Location"].startswith(logins if path.startswith("/django-admin/") else logins[0]), (
            path,
            response["Location"],
        )


@pytest.mark.django_db
def test_htmx_requests_from_anonymous_get_a_full_page_redirect(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/"


@pytest.mark.django_db
def test_login_page_is_public_and_styled(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in to Huddle" in response.content
    assert b"huddle.css" in response.content


@pytest.mark.django_db
def test_signing_in_lands_on_the_feed(client):
    make_user("riley")
    response = client.post("/accounts/login/", {"username": "riley", "password": "huddle-test-pw"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert b"Riley" in response.content


@pytest.mark.django_db
def test_wrong_password_says_so(client):
    make_user("riley")
    response = client.post("/accounts/login/", {"username": "riley", "password": "nope"})
    assert b"didn't match" in response.content


@pytest.mark.django_db
def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_page_tree_has_home_tips_and_coaching(rep_client):
    for path, title in (("/", "Welcome back"), ("/tips/", "Tips"), ("/coaching/", "Coaching")):
        response = rep_client.get(path)
        assert response.status_code == 200, path
        assert title.encode() in response.content
    home = Page.objects.get(depth=2).specific
    assert home.get_children().count() == 2
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert DjangoSite.objects.get_current().domain == "127.0.0.1:8000"


@pytest.mark.django_db
def test_new_users_land_in_reps():
    user = make_user("newbie")
    assert list(user.groups.values_list("name", flat=True)) == [REPS]


@pytest.mark.django_db
def test_roles_have_the_permissions_they_need(rep, marketer, manager):
    assert set(Group.objects.values_list("name", flat=True)) >= {REPS, MARKETING, MANAGERS}
    assert marketer.has_perm("wagtailadmin.access_admin")
    assert marketer.has_perm("knowledge.change_account")
    assert not rep.has_perm("wagtailadmin.access_admin")
    assert not rep.has_perm("leaderboard.view_revenue")
    assert manager.has_perm("leaderboard.view_revenue")
    assert not marketer.has_perm("leaderboard.view_revenue")
    tips = Page.objects.get(slug="tips")
    assert tips.permissions_for_user(marketer).can_edit()
    assert tips.permissions_for_user(marketer).can_publish()
    assert not tips.permissions_for_user(rep).can_edit()


@pytest.mark.django_db
def test_reps_cannot_open_the_admin_but_marketing_can(rep_client, marketer_client):
    assert rep_client.get("/admin/").status_code == 302
    assert marketer_client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_media_is_served_only_to_signed_in_users(client, rep_client, settings):
    media = Path(settings.MEDIA_ROOT)
    (media / "videos").mkdir(parents=True)
    (media / "videos" / "pitch.txt").write_text("secret pitch")
    assert client.get("/media/videos/pitch.txt").status_code == 302
    response = rep_client.get("/media/videos/pitch.txt")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"secret pitch"
    assert rep_client.get("/media/../config/settings/base.py").status_code in (400, 404)
    assert rep_client.get("/media/videos/missing.mp4").status_code == 404


@pytest.mark.django_db
def test_media_can_be_handed_to_the_proxy(rep_client, settings):
    settings.MEDIA_ACCEL = "nginx"
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    (media / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16)  # a real MP4 start
    response = rep_client.get("/media/clip.mp4")
    assert response["X-Accel-Redirect"] == "/protected-media/clip.mp4"
    assert response.content == b""


@pytest.mark.django_db
def test_seed_demo_twice_duplicates_nothing():
    call_command("seed_demo", verbosity=0)
    counts = _content_counts()
    assert counts["auth.user"] >= 20
    assert counts["knowledge.account"] >= 10
    call_command("seed_demo", verbosity=0)
    assert _content_counts() == counts


@pytest.mark.django_db
def test_demo_tips_carry_a_discussion_a_reader_sees(client):
    """A new reader of the demo finds comments under tips, one answered by the tip's author."""
    from django_comments_xtd.models import XtdComment

    from knowledge.models import TipPage

    call_command("seed_demo", verbosity=0, no_index=True)
    reply = XtdComment.objects.filter(level=1).select_related("user").first()
    assert reply is not None
    tip = TipPage.objects.get(pk=reply.object_pk)
    assert reply.user_id == tip.author_id
    parent = XtdComment.objects.get(pk=reply.parent_id)
    client.login(username="manager", password="huddle-demo")
    page = client.get(tip.url).content.decode()
    assert parent.comment in page and reply.comment in page
    assert page.index(parent.comment) < page.index(reply.comment)  # the answer under its question
    assert XtdComment.objects.values("object_pk").distinct().count() >= 10


def _content_counts():
    from django.apps import apps

    return {
        model._meta.label_lower: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"auth", "knowledge", "coaching", "leaderboard", "wagtailcore", "django_comments_xtd", "taggit", "semantic"}
    }


@pytest.mark.django_db
def test_demo_logins_work(client):
    call_command("seed_demo", verbosity=0)
    for username in ("rep", "marketing", "manager"):
        assert client.login(username=username, password="huddle-demo"), username
    assert Account.objects.filter(industry="Healthcare").exists()


def _without_test_flags(environ):
    """The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production check."""
    return {key: value for key, value in environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_production_settings_pass_the_deploy_check():
    env = {
        **_without_test_flags(os.environ),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "-production-secret-for-the-deploy-check-" + "y" * 20,
        "ALLOWED_HOSTS": "huddle.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        **_without_test_flags(os.environ),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "",
        "ALLOWED_HOSTS": "huddle.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_models_and_migrations_agree():
    """A model change without its migration would break `make run` on a fresh database."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


NUL_URLS = [
    "/search/?q=x%00y",
    "/search/?q=x&author=a%00b",
    "/search/?q=x&tag=a%00b",
    "/search/suggest/?q=x%00y",
    "/tags/a%00b/",
    "/people/a%00b/",
    "/leaderboard/reps/a%00b/",
    "/?next=%00",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", NUL_URLS)
def test_nul_bytes_in_the_address_get_a_clear_400(manager_client, url):
    """PostgreSQL cannot compare text holding NUL: every such request is refused before a view runs."""
    response = manager_client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert b"NUL character" in response.content


@pytest.mark.django_db
def test_nul_bytes_in_a_form_or_json_body_get_a_clear_400(rep_client):
    body = "text=Good+call%00today"
    response = rep_client.post("/microposts/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert b"NUL character" in response.content
    # Multipart forms are left to the form fields, which refuse NUL themselves.
    response = rep_client.post("/microposts/", {"text": "Good call\x00today"})
    assert response.status_code == 400
    assert b"Null characters are not allowed" in response.content
    response = rep_client.post("/api/deals", '{"crm_id": "a\\u0000b", "name": "x"}', content_type="application/json")
    assert response.status_code == 400
    assert "NUL character" in response.json()["detail"]


@pytest.mark.django_db
def test_the_demo_seed_rings_bells_but_mails_nobody(mailoutbox):
    """`make run` printed ten made-up pitch-review e-mails before the demo login; the demo people
    find those notifications in their bell instead."""
    from notifications.models import Delivery, Notification

    call_command("seed_demo", verbosity=0, no_index=True)
    assert Notification.objects.filter(in_app=True).exists()
    assert mailoutbox == []
    assert not Notification.objects.exclude(email=Delivery.NONE).exists()
    assert not Notification.objects.filter(digest=True).exists()
