"""Demo helpful marks and views from other reps, and the counters they add up to."""

import datetime
import random

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import ContentView, HelpfulMark, Micropost, TipPage
from .context import BATCH, SeedContext
from .people import demo_user_ids


def seed_reactions(context: SeedContext) -> tuple[int, int]:
    """Helpful marks and views from other reps, then the denormalised counters from them."""
    rng = random.Random(context.seed + 4)
    users = demo_user_ids(context)
    if HelpfulMark.objects.exists() or len(users) < 2:
        return 0, 0
    tip_type = ContentType.objects.get_for_model(TipPage)
    post_type = ContentType.objects.get_for_model(Micropost)
    now = timezone.now()
    marks = views = 0
    tips = TipPage.objects.values_list("pk", "author_id").order_by("pk")
    posts = Micropost.objects.values_list("pk", "author_id").order_by("pk")
    for content_type, rows, mark_rate, view_rate in (
        (tip_type, tips, 4, 6),
        (post_type, posts, 1, 0),
    ):
        total = rows.count()
        for start in context.progress(
            range(0, total, BATCH),
            f"Reactions on {content_type.model}s",
            total=(total + BATCH - 1) // BATCH,
        ):
            new_marks, new_views = [], []
            for object_id, author_id in rows[start : start + BATCH]:
                people = [user for user in rng.sample(users, min(len(users), 8)) if user != author_id]
                for user in people[: rng.randint(0, mark_rate)]:
                    new_marks.append(
                        HelpfulMark(
                            user_id=user,
                            content_type=content_type,
                            object_id=object_id,
                            created_at=now - datetime.timedelta(hours=rng.randint(1, 24 * 20)),
                        )
                    )
                for user in people[: rng.randint(0, view_rate)]:
                    new_views.append(
                        ContentView(
                            user_id=user,
                            content_type=content_type,
                            object_id=object_id,
                            day=(now - datetime.timedelta(days=rng.randint(0, 60))).date(),
                        )
                    )
            HelpfulMark.objects.bulk_create(new_marks, ignore_conflicts=True)
            ContentView.objects.bulk_create(new_views, ignore_conflicts=True)
            marks += len(new_marks)
            views += len(new_views)
    recount(TipPage, tip_type, "helpful_count", HelpfulMark)
    recount(TipPage, tip_type, "view_count", ContentView)
    recount(Micropost, post_type, "helpful_count", HelpfulMark)
    return marks, views


def recount(model, content_type, field_name: str, reaction_model) -> None:
    counts = (
        reaction_model.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
        .order_by()
        .values("object_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    model._base_manager.update(**{field_name: Coalesce(Subquery(counts), Value(0))})
