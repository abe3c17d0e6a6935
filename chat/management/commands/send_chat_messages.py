from django.core.management.base import BaseCommand

from chat.delivery import due_ids, send_chat_messages


class Command(BaseCommand):
    help = (
        "Queues the Slack and Teams messages that are due: retries whose wait is over, and messages a lost job "
        "or a killed worker left behind (run it every minute or few from cron or a systemd timer)."
    )

    def handle(self, *args, verbosity=1, **options):
        ids = due_ids()
        if ids:
            result = send_chat_messages.enqueue(ids)
            if result.is_finished:
                self.stdout.write(f"Chat messages due: {len(ids)}; sent: {result.return_value}")
                return
        self.stdout.write(f"Chat messages due: {len(ids)}" + ("; queued for the worker" if ids else ""))
