"""Reminds each author of their tips past "verified until" (run daily from cron or a task).

When the notifications app is installed it owns these e-mails (``knowledge.freshness.reminder_owner``):
each stale tip is told to its author once per lapse, in the app and by e-mail unless they turned
that off, and this command only runs that step, so an old cron entry sends nothing twice.
"""

from django.core.management.base import BaseCommand, CommandError

from knowledge.freshness import reminder_owner, review_reminders, send_review_reminder


class Command(BaseCommand):
    help = "Reminds each author of their tips that need review."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who would get what; send nothing.")

    def handle(self, *args, dry_run, verbosity, **options):
        reminders = review_reminders()
        tip_count = sum(len(tips) for tips in reminders.values())
        if verbosity > 1:
            for author, tips in reminders.items():
                self.stderr.write(f"{author.username}: {len(tips)} tip(s) to review")
        if dry_run:
            self.stdout.write(f"Would remind {len(reminders)} author(s) about {tip_count} tip(s) to review.")
            return
        owner = reminder_owner()
        if owner is not None:
            told = owner(None)
            self.stdout.write(
                f"{len(reminders)} author(s) have {tip_count} tip(s) to review; {told} tip(s) newly told to their "
                "authors through their notification settings (the others were told already)."
            )
            return
        sent = 0
        for author, tips in reminders.items():
            try:
                send_review_reminder(author, tips)
            except OSError as error:  # the mail server refused or could not be reached
                raise CommandError(f"Could not send the reminder to {author.email}: {error}") from error
            sent += 1
        self.stdout.write(
            f"Reminded {len(reminders)} author(s) about {tip_count} tip(s) to review; {sent} e-mail(s) sent."
        )
