"""``manage.py rebuild_rollups``: re-count every rep's history into the daily roll-ups."""

from django.core.management.base import BaseCommand

from knowledge.progress import progress
from leaderboard import rollups


class Command(BaseCommand):
    help = (
        "Re-counts the leaderboard's daily activity from the raw events with the current fair-play "
        "caps (after a bulk load that sent no signals, or to check the counts)."
    )

    def handle(self, *args, verbosity, **options):
        caps = rollups.Caps.current()
        reps = 0

        def bar(rep_ids, total):
            nonlocal reps
            reps = total
            return progress(rep_ids, "Reps", total=total, stream=self.stderr, enabled=verbosity > 0)

        events = rollups.rebuild(caps=caps, progress=bar)
        self.stdout.write(
            f"Re-counted {events} events of {reps} rep{'' if reps == 1 else 's'} "
            f"(daily cap {caps.daily}, helpful marks from one colleague {caps.helpful_pair_weekly} a week)."
        )
