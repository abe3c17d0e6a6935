from django.core.management.base import BaseCommand

from notifications.chat_delivery import due_chat_ids, send_notification_chats
from notifications.emails import due_ids, send_notification_emails
from notifications.staleness import tell_stale_authors_task


class Command(BaseCommand):
    help = (
        "Queues what is due: telling authors of tips gone stale, notification e-mails and chat messages "
        "a lost job or a failure left behind, "
        "and the daily and weekly digests "
        "(run it every few minutes from cron or a systemd timer; a digest goes once per period)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-digests", action="store_true", help="Only the e-mails that are due.")

    def handle(self, *args, no_digests=False, verbosity=1, **options):
        stale = tell_stale_authors_task.enqueue()
        ids = due_ids()
        if ids:
            send_notification_emails.enqueue(ids)
        chat_ids = due_chat_ids()
        if chat_ids:
            send_notification_chats.enqueue(chat_ids)
        sent = {}
        if not no_digests:
            from notifications.digests import send_due_digests

            result = send_due_digests.enqueue()
            sent = result.return_value if result.is_finished else {}
        told = stale.return_value if stale.is_finished else "queued"
        self.stdout.write(
            f"Stale tips told to their authors: {told}; e-mails due: {len(ids)}; "
            f"chat messages due: {len(chat_ids)}; digests sent: "
            + (", ".join(f"{k} {v}" for k, v in sent.items()) if sent else "queued for the worker")
        )
