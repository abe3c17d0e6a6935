"""Related tips: the live tips nearest in meaning to a tip or a coaching video."""

from __future__ import annotations

from django.db.models import Model

from . import encoder
from .indexing import TIP, model_for
from .store import similar_to

RELATED_TIPS = 5
# Asked for beyond the five so that retired or unpublished neighbours, dropped after, leave five.
SPARE = 10


def related_tips(obj: Model, *, limit: int = RELATED_TIPS) -> list:
    """Up to ``limit`` live, unretired tips nearest to obj by meaning, obj itself left out; one query."""
    tip_model = model_for(TIP)
    if not encoder.is_enabled() or tip_model is None or obj.pk is None:
        return []
    hits = similar_to(obj, k=limit + SPARE, models=[tip_model])
    if not hits:
        return []
    ids = [hit.object_id for hit in hits]
    tips = {tip.pk: tip for tip in tip_model.objects.listed().filter(pk__in=ids).exclude(pk=obj.pk)
            .select_related("account").defer_streamfields()}
    return [tips[pk] for pk in ids if pk in tips][:limit]
