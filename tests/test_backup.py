"""`manage.py backup` and `manage.py restore`: a seeded site, wiped and restored, is the same site.

The comparison is generic over models: every row of every backed-up model, every field, so
it keeps holding as apps add models.
"""

import datetime
import decimal
import json
import re
import shutil
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.models import Page

from config.management.commands.backup import MANIFEST_FILE, backed_up_models

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')


PLAIN = (
    str,
    int,
    float,
    bool,
    bytes,
    type(None),
    datetime.date,
    datetime.time,
    datetime.timedelta,
    decimal.Decimal,
    uuid.UUID,
)


def _value(field: models.Field, value):
    """A comparable form: StreamField values and the like compare by identity otherwise."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, PLAIN):
        return value
    return json.dumps(field.get_prep_value(value), sort_keys=True, default=str)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every backed-up model (and their many-to-many tables), all fields."""
    tables: dict[str, list[tuple]] = {}
    backed_up = set(backed_up_models())
    for model in apps.get_models(include_auto_created=True):
        through = model._meta.auto_created
        if model not in backed_up and not (through and through in backed_up):
            continue
        fields = [field for field in model._meta.concrete_fields if not (through and field.primary_key)]
        rows = model._base_manager.values_list(*[field.attname for field in fields])
        tables[model._meta.label_lower] = sorted(
            (tuple(_value(field, value) for field, value in zip(fields, row, strict=True)) for row in rows),
            key=repr,
        )
    return tables


def pages_as(user, paths: list[str]) -> dict[str, bytes]:
    client = Client()
    client.force_login(user)
    seen = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        seen[path] = CSRF.sub(b"", b"".join(response) if response.streaming else response.content)
    return seen


def _lines(html: bytes) -> list[str]:
    return [line.strip() for line in html.decode().splitlines() if line.strip()]


def site_paths() -> list[str]:
    """The feed, the tips and tag pages, the leaderboard and its CSV export, where they exist."""
    paths = ["/", "/tips/", "/coaching/"]
    for name in ("leaderboard", "leaderboard_csv"):
        try:
            paths.append(reverse(name))
        except NoReverseMatch:
            pass
    tags = apps.get_model("taggit", "Tag")._base_manager.order_by("pk")[:2]
    paths += [f"/tags/{tag.slug}/" for tag in tags]
    return paths


def _comment_on_first_tip(user) -> None:
    """One more comment and a reply (a generic relation, a thread) on top of the demo discussion."""
    from django_comments_xtd.models import XtdComment

    tip = Page.objects.type(apps.get_model("knowledge", "TipPage")).order_by("pk").first()
    if tip is None:
        return
    common = {
        "content_type": ContentType.objects.get_for_model(tip.specific),
        "object_pk": str(tip.pk),
        "site_id": settings.SITE_ID,
        "user": user,
        "user_name": user.username,
    }
    first = XtdComment.objects.create(comment="Worked for us at Acme too.", **common)
    XtdComment.objects.create(comment="Same here.", parent_id=first.pk, **common)


def wipe(media_root: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_root, ignore_errors=True)
    index = settings.WAGTAILSEARCH_BACKENDS["default"].get("PATH")
    if index:
        shutil.rmtree(index, ignore_errors=True)


def test_backup_wipe_restore_gives_back_the_same_site(tmp_path, settings):
    call_command("seed_demo", verbosity=0)
    call_command("update_index", verbosity=0)  # as a running site is: every vector and entry there
    media_root = Path(settings.MEDIA_ROOT)
    (media_root / "videos").mkdir(parents=True, exist_ok=True)
    (media_root / "videos" / "pitch.mp4").write_bytes(b"\x00\x01video" * 1000)
    media_before = {p.relative_to(media_root): p.read_bytes() for p in media_root.rglob("*") if p.is_file()}
    manager = get_user_model().objects.get(username="manager")
    _comment_on_first_tip(manager)
    # A tip verified until today turns "may be out of date" at midnight: a run that crosses it
    # would render it both ways. Nothing here depends on which day that is.
    today = timezone.localdate()
    tips = apps.get_model("knowledge", "TipPage").objects
    tips.filter(verified_until=today).update(verified_until=today + datetime.timedelta(days=2))
    pages_as(manager, site_paths())  # first views create settings rows and view records
    pages_before = pages_as(manager, site_paths())
    before = snapshot()
    tip = Page.objects.live().type(apps.get_model("knowledge", "TipPage")).order_by("pk").last()

    call_command("backup", str(tmp_path / "backup"), verbosity=0)
    manifest = json.loads((tmp_path / "backup" / MANIFEST_FILE).read_text())
    assert {label: len(rows) for label, rows in before.items() if label in manifest["counts"]} == manifest["counts"]
    assert manifest["search"]["rebuild_command"] == "update_index"

    wipe(media_root)
    assert get_user_model().objects.count() == 0 and not media_root.exists()

    call_command("restore", str(tmp_path / "backup"), interactive=False, verbosity=0)
    after = snapshot()
    for label in (
        "knowledge.tippage",
        "knowledge.micropost",
        "coaching.coachingvideopage",
        "django_comments_xtd.xtdcomment",
        "leaderboard.deal",
        "leaderboard.activityevent",
        "wagtailcore.page",
        "taggit.tag",
        "wagtailcore.revision",
    ):
        if label in before:
            assert after[label] == before[label], label
    assert after == before
    assert {p.relative_to(media_root): p.read_bytes() for p in media_root.rglob("*") if p.is_file()} == media_before
    manager = get_user_model().objects.get(username="manager")
    pages_after = pages_as(manager, site_paths())
    for path, html in pages_before.items():
        assert _lines(pages_after[path]) == _lines(html), path
    if tip is not None:  # search found the tip again: the index was rebuilt
        assert tip.pk in [page.pk for page in Page.objects.live().search(tip.title)]


def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path):
    call_command("seed_demo", verbosity=0)
    call_command("backup", str(tmp_path / "backup"), verbosity=0)
    database = tmp_path / "backup" / "database.jsonl.gz"
    database.write_bytes(database.read_bytes()[:-10])
    users = get_user_model().objects.count()
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(tmp_path / "backup"), interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="not a folder from `manage.py backup`"):
        call_command("restore", str(tmp_path), interactive=False, verbosity=0)
    assert get_user_model().objects.count() == users


def test_backup_will_not_write_into_a_folder_with_files(tmp_path):
    (tmp_path / "old.txt").write_text("keep me")
    with pytest.raises(CommandError, match="not an empty folder"):
        call_command("backup", str(tmp_path), verbosity=0)
    assert (tmp_path / "old.txt").read_text() == "keep me"


def test_restore_keeps_generic_relations_pointing_at_the_same_types(tmp_path):
    """Content type ids come back as they were, so comments and helpful marks find their objects."""
    call_command("seed_demo", verbosity=0)
    ids = dict(ContentType.objects.values_list("pk", "model"))
    call_command("backup", str(tmp_path / "backup"), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # post_migrate renumbers content types
    call_command("restore", str(tmp_path / "backup"), interactive=False, verbosity=0, no_index=True)
    assert dict(ContentType.objects.values_list("pk", "model")) == ids
