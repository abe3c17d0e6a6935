"""``manage.py requeue_interrupted_tasks``: jobs a killed worker left RUNNING go back in the queue.

django-tasks-db marks a job RUNNING when a worker claims it and never looks at it again,
so a worker killed mid-job (OOM, kill -9, a power cut) leaves it stuck for good. Huddle
runs one worker per site (deploy/systemd/huddle-worker.service), which runs this command
before it starts: at that moment no job can really be running. Every Huddle job is safe
to run twice (vectors and index entries are upserts, deal imports upsert by CRM id; an
e-mail may go out twice).
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = "Puts background jobs left RUNNING by a dead worker back in the queue."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Only jobs started this long ago (with several workers: longer than any job).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count them; change nothing.")

    def handle(self, *args, older_than, dry_run, **options):
        cutoff = timezone.now() - timedelta(seconds=older_than)
        stuck = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lte=cutoff)
        if dry_run:
            self.stdout.write(f"{stuck.count()} interrupted jobs would go back in the queue.")
            return
        count = stuck.update(status=TaskResultStatus.READY, started_at=None)
        self.stdout.write(f"{count} interrupted jobs went back in the queue.")
