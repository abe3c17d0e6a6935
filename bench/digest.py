"""Sends 1,000 people their weekly digest through a real SMTP server on the loopback, timed, with
peak memory, against the loop a person would write first, in the same process.

    .venv/bin/python bench/digest.py [--people 1000] [--items 20] [--repeat 3]

Uses a throw-away SQLite database (DATABASE_URL to choose another). Makes ``--people`` reps,
200 tips and ``--items`` digest rows per person (new content in what they follow), then starts
aiosmtpd on a free loopback port. Each round empties the claims, then runs:
- baseline: per person, their digest rows (with each row's tip loaded one by one), the same two
  templates rendered, ``send_mail`` (a new SMTP connection per message); no claim, no ranking;
- Huddle: ``notifications.digests.send_digests("weekly")`` as the worker runs it (one SMTP
  connection, ranked, a DigestRun row claimed before each message).
The first round is reported as cold, the later ones as warm; the side that runs first alternates.
Peak memory is tracemalloc's peak of Python allocations during one more, untimed, Huddle run, and
the process's peak RSS (ru_maxrss).
Target: 1,000 digests in under 2 minutes.
"""

import argparse
import os
import resource
import socket
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_DB = Path(tempfile.mkdtemp(prefix="huddle-bench-digest-")) / "db.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_DB}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["TASKS_BACKEND"] = "immediate"
os.environ.setdefault("SEMANTIC_SEARCH", "false")
os.environ["EMAIL_URL"] = "console:"  # replaced below by the loopback server

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.mail import send_mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.utils import timezone  # noqa: E402


def report(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Counter:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_data(people: int, items: int) -> None:
    from knowledge.models import TipIndexPage, TipPage
    from notifications.models import Kind, Notification

    User = get_user_model()
    User.objects.bulk_create(
        [
            User(username=f"digest{n:04d}", email=f"digest{n:04d}@huddle.example", first_name="Rep")
            for n in range(people)
        ],
        batch_size=1000,
    )
    author = User.objects.create(username="digest-author", first_name="Ada", last_name="Author")
    index = TipIndexPage.objects.get()
    tips = []
    for number in range(200):
        tip = TipPage(title=f"Bench tip {number}", slug=f"bench-tip-{number}", author=author, body=[], live=True)
        tip.first_published_at = tip.last_published_at = timezone.now()
        index.add_child(instance=tip)
        tips.append(tip)
    TipPage.objects.filter(pk__in=[t.pk for t in tips[::7]]).update(helpful_count=5)
    content_type = ContentType.objects.get_for_model(TipPage)
    now = timezone.now()
    rows = []
    for user_id in User.objects.filter(username__startswith="digest0").values_list("pk", flat=True):
        for item in range(items):
            tip = tips[(user_id * 7 + item) % len(tips)]
            rows.append(
                Notification(
                    recipient_id=user_id,
                    kind=Kind.FOLLOWED,
                    actor=author,
                    content_type=content_type,
                    object_id=tip.pk,
                    summary=f"shared a tip: “{tip.title}”",
                    excerpt="Open with the customer's own numbers, then ask what changed since last quarter.",
                    url=tip.url,
                    link=f"http://127.0.0.1:8000{tip.url}",
                    created_at=now,
                    updated_at=now,
                    digest=True,
                )
            )
    Notification.objects.bulk_create(rows, batch_size=2000)


def baseline() -> int:
    """What a person writes first: a loop over people, rows and their tips one by one, send_mail each."""
    from notifications.models import Notification

    sent = 0
    for user in get_user_model().objects.filter(username__startswith="digest0").exclude(email=""):
        rows = list(Notification.objects.filter(recipient=user, digest=True, read_at__isnull=True))
        if not rows:
            continue
        items = [{"row": row, "helpful": row.target.helpful_count, "verified": False} for row in rows]
        context = {"user": user, "items": items, "frequency": "weekly", "period_label": "this week"}
        send_mail(
            f"Your Huddle weekly digest: {len(items)} new items",
            render_to_string("notifications/email/digest.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
            html_message=render_to_string("notifications/email/digest.html", context),
        )
        sent += 1
    return sent


def huddle() -> int:
    from notifications.digests import send_digests

    return send_digests("weekly")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    call_command("migrate", verbosity=0)
    from notifications.models import DigestRun

    if not get_user_model().objects.filter(username__startswith="digest0").exists():
        started = time.perf_counter()
        make_data(args.people, args.items)
        report(f"data: {args.people} people x {args.items} digest rows in {time.perf_counter() - started:.1f} s")

    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    report(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; load average {os.getloadavg()}")
    try:
        for round_number in range(args.repeat):
            label = "cold" if round_number == 0 else "warm"
            DigestRun.objects.all().delete()
            # The side that runs first pays for loading templates and warming the database's pages:
            # the order alternates, and each line says which went first.
            order = ("baseline", "huddle") if round_number % 2 == 0 else ("huddle", "baseline")
            timed = {}
            for side in order:
                counter.count = 0
                started = time.perf_counter()
                sent = baseline() if side == "baseline" else huddle()
                timed[side] = ((time.perf_counter() - started) * 1000, sent, counter.count)
            (base_ms, base_sent, base_messages), (ours_ms, ours_sent, ours_messages) = (
                timed["baseline"],
                timed["huddle"],
            )
            assert ours_sent == ours_messages == base_messages == base_sent, timed
            report(
                f"{label} ({order[0]} first): Huddle {ours_sent} digests in {ours_ms:.0f} ms "
                f"({ours_ms / ours_sent:.1f} ms each), baseline {base_ms:.0f} ms ({base_ms / base_sent:.1f} ms each); "
                f"ratio {ours_ms / base_ms:.2f}x; load average {os.getloadavg()}"
            )
            again = huddle()
            report(f"{label}: a second run in the same period sent {again} (claims hold)")
        # Memory apart: tracemalloc slows Python down several times, so no timed run has it on.
        DigestRun.objects.all().delete()
        tracemalloc.start()
        huddle()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        report(f"peak Python memory while sending {args.people} digests (tracemalloc): {peak / 1e6:.1f} MB")
    finally:
        controller.stop()
    report(f"peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
