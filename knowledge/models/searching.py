"""What the search index has yet to take in, when a task worker is its writer."""

from django.db import models


class PendingIndexUpdate(models.Model):
    """An object saved since the index last took it in.

    Written in the saving transaction, so it commits (or rolls back) with the change itself; the
    worker indexes every pending object in one index commit and deletes the rows it handled. An
    object saved twice has two rows until then.
    """

    app_label = models.CharField(max_length=100)
    model_name = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)

    class Meta:
        verbose_name = "pending search index update"

    def __str__(self) -> str:
        return f"{self.app_label}.{self.model_name} {self.object_id}"
