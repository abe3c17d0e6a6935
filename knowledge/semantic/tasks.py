"""Background work for search by meaning: embedding an object's text after it is saved."""

from dataclasses import asdict

from django_tasks import task

from .indexing import chunks_for, model_for
from .models import Embedding
from .vector_index import content_type_id_for
from .writing import upsert_vectors


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
