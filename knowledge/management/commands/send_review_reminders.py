"""E-mails each author their tips past "verified until" (run daily from cron or a task)."""

from django.core.management.base import BaseCommand, CommandError

from knowledge.freshness import review_reminders, send_review_reminder


class Command(BaseCommand):
    help = "E-mails each author a list of their tips that need review."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would get what; send nothing."
        )

    def handle(self, *args, dry_run, verbosity, **options):
        reminders = review_reminders()
        sent = 0
        for author, tips in reminders.items():
            if verbosity > 1:
                self.stderr.write(f"{author.username}: {len(tips)} tip(s) to review")
            if dry_run:
                continue
            try:
                send_review_reminder(author, tips)
            except OSError as error:  # the mail server refused or could not be reached
                raise CommandError(
                    f"Could not send the reminder to {author.email}: {error}"
                ) from error
            sent += 1
        tip_count = sum(len(tips) for tips in reminders.values())
        verb = "Would remind" if dry_run else "Reminded"
        self.stdout.write(
            f"{verb} {len(reminders)} author(s) about {tip_count} tip(s) to review; "
            f"{sent} e-mail(s) sent."
        )
