"""File storage for uploads that never leaves half a file behind."""

import os

from django.core.files.storage import FileSystemStorage


class MediaStorage(FileSystemStorage):
    """FileSystemStorage whose failed writes (a full disk, a lost mount) remove what they wrote.

    Django's own storage leaves the partial file in MEDIA_ROOT when a write fails midway;
    the database row that would have pointed at it is rolled back, so nothing ever would.
    """

    def _save(self, name, content):
        full_path = self.path(name)
        existed = os.path.lexists(full_path)
        try:
            return super()._save(name, content)
        except OSError:
            # Django opens new files with O_EXCL: a file that was not there before is ours.
            if not existed and os.path.lexists(full_path):
                os.remove(full_path)
            raise
