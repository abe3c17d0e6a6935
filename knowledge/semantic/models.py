import numpy as np
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class EmbeddingQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "EmbeddingQuerySet":
        content_type = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=content_type, object_id=obj.pk)


class Embedding(models.Model):
    """One vector for one piece of text of any object (chunk 0, or one per transcript chunk)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    chunk = models.PositiveIntegerField(default=0)
    # Where a transcript chunk starts, so a hit can link into the video.
    start_seconds = models.FloatField(null=True, blank=True)
    # Hash of the embedded text; the same text with the same model is not embedded again.
    text_hash = models.CharField(max_length=32)
    model = models.CharField(max_length=100)
    # float32 little-endian; plain bytes work on SQLite and PostgreSQL alike.
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmbeddingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "chunk"], name="semantic_one_vector_per_chunk")
        ]
        # VectorIndex asks "what changed since" per content type.
        indexes = [models.Index(fields=["content_type", "updated_at"])]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id}#{self.chunk} ({self.model})"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype="<f4")
