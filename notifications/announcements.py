"""Must-read announcements: posted to everyone or a team, one receipt per reader, read receipts."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .header import forget_header
from .models import Announcement, AnnouncementReceipt


def audience_ids(team=None) -> set[int]:
    """Active people an announcement reaches: everyone, or a team's members and its manager."""
    people = get_user_model().objects.filter(is_active=True)
    if team is not None:
        from leaderboard.models import RepProfile

        members = RepProfile.objects.filter(team=team).values("user_id")
        people = people.filter(pk__in=members) | people.filter(pk=team.manager_id or 0)
    return set(people.values_list("pk", flat=True))


@transaction.atomic
def post_announcement(*, author, title: str, body: str, team=None) -> Announcement:
    """Posts it and writes one unread receipt per reader (the author is no reader of their own)."""
    announcement = Announcement.objects.create(author=author, title=title, body=body, team=team)
    readers = audience_ids(team) - {author.pk}
    AnnouncementReceipt.objects.bulk_create(
        [AnnouncementReceipt(announcement=announcement, user_id=pk) for pk in sorted(readers)], batch_size=1000
    )
    ids = tuple(readers)
    forget_header(*ids)
    transaction.on_commit(lambda: forget_header(*ids))
    return announcement


def mark_announcement_read(user, announcement: Announcement) -> bool:
    """Records that ``user`` read it; returns False if it was not addressed to them."""
    receipt = AnnouncementReceipt.objects.filter(announcement=announcement, user=user).first()
    if receipt is None:
        return False
    if receipt.read_at is None:
        AnnouncementReceipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=timezone.now())
        forget_header(user.pk)
    return True


def read_receipts(announcement: Announcement) -> tuple[list, list]:
    """(receipts read, oldest first; receipts not read yet, by name), with their people, one query."""
    receipts = announcement.receipts.select_related("user").order_by(
        "read_at", "user__first_name", "user__last_name", "user__username"
    )
    read, unread = [], []
    for receipt in receipts:
        (read if receipt.read_at else unread).append(receipt)
    return read, unread


def can_see_receipts(user) -> bool:
    return user.has_perm("notifications.view_read_receipts")


def can_post(user) -> bool:
    return user.has_perm("notifications.add_announcement")
