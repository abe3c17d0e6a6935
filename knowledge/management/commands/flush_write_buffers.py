"""Writes what page views and searches left in the write buffers (``knowledge.writebuffer``) now."""

from django.core.management.base import BaseCommand

from knowledge import writebuffer


class Command(BaseCommand):
    help = "Write buffered page views and search logs to the database now."

    def handle(self, *args, **options):
        waiting = {buffer.name: len(buffer) for buffer in writebuffer.buffers()}
        written = writebuffer.flush_all()
        for name, count in waiting.items():
            self.stdout.write(f"{name}: {count} buffered, {written.get(name, 0)} written.")
