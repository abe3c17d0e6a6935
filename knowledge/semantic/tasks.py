"""Background work for search by meaning: embedding an object's text after it is saved."""

from dataclasses import asdict

from django_tasks import task

from .. import pending
from .indexing import chunks_for, model_for
from .models import Embedding
from .vector_index import content_type_id_for
from .writing import upsert_many, upsert_vectors

VECTORS_JOB = "vectors"


@task()
def refresh_vectors(label: str, pk: int) -> dict:
    """Embeds the stored text of one object (read again, so a late run sees the latest text)."""
    model = model_for(label)
    if model is None:
        return {}
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:  # deleted before the worker got to it
        deleted = Embedding.objects.filter(content_type_id=content_type_id_for(model), object_id=pk).delete()[0]
        return {"deleted": deleted}
    return asdict(upsert_vectors(obj, chunks_for(obj)))


def refresh_many(model, pks) -> None:
    """refresh_vectors for several objects of ``model``, their texts embedded in shared batches."""
    objects = list(model._default_manager.filter(pk__in=pks))
    gone = set(map(str, pks)) - {str(obj.pk) for obj in objects}
    if gone:
        Embedding.objects.filter(content_type_id=content_type_id_for(model), object_id__in=gone).delete()
    upsert_many((obj, chunks_for(obj)) for obj in objects)


pending.register(VECTORS_JOB, refresh_many)
