"""Work a task worker has yet to do for saved objects, taken in batches."""

from django.db import models


class PendingUpdate(models.Model):
    """An object saved since a background job (``job``: the search index, its vectors) last took it in.

    Written in the saving transaction, so it commits (or rolls back) with the change itself; the
    worker takes every pending object of a job at once and deletes the rows it handled. An
    object saved twice has two rows until then.
    """

    job = models.CharField(max_length=40)
    app_label = models.CharField(max_length=100)
    model_name = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["job", "id"], name="pending_update_job")]

    def __str__(self) -> str:
        return f"{self.job}: {self.app_label}.{self.model_name} {self.object_id}"
