"""Announcements: marketing posts them, everyone reads them, marketing and managers see who has."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .announcements import can_post, can_see_receipts, mark_announcement_read, post_announcement, read_receipts
from .models import Announcement, AnnouncementReceipt


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["title", "body", "team"]
        labels = {"body": "Message", "team": "Who must read it"}
        help_texts = {"team": "Everyone, or the members and manager of one team."}
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].empty_label = "Everyone"


def announcement_list(request):
    """What was announced to me; for marketing and managers every announcement and how many read it."""
    if can_see_receipts(request.user):
        announcements = Announcement.objects.select_related("team", "author").annotate(
            readers=Count("receipts"), read=Count("receipts", filter=Q(receipts__read_at__isnull=False))
        )
    else:
        announcements = [
            receipt.announcement
            for receipt in AnnouncementReceipt.objects.filter(user=request.user)
            .select_related("announcement__team", "announcement__author")
            .order_by("-announcement__created_at")
        ]
    return render(
        request,
        "notifications/announcement_list.html",
        {"announcements": announcements, "can_post": can_post(request.user)},
    )


def announcement_new(request):
    if not can_post(request.user):
        raise PermissionDenied("Only marketing posts announcements.")
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        announcement = post_announcement(author=request.user, **form.cleaned_data)
        readers = announcement.receipts.count()
        messages.success(request, f"Announced to {readers} {'person' if readers == 1 else 'people'}.")
        return redirect(announcement)
    return render(request, "notifications/announcement_form.html", {"form": form})


def announcement_detail(request, pk):
    """Reading it here counts as read; marketing and managers also see who has read it and who not."""
    announcement = get_object_or_404(Announcement.objects.select_related("team", "author"), pk=pk)
    addressed = mark_announcement_read(request.user, announcement)
    receipts = can_see_receipts(request.user)
    if not (addressed or receipts):
        raise PermissionDenied("This announcement was not addressed to you.")
    read, unread = read_receipts(announcement) if receipts else ([], [])
    context = {"announcement": announcement, "receipts": receipts, "read": read, "unread": unread}
    return render(request, "notifications/announcement_detail.html", context)


@require_POST
def announcement_read(request, pk):
    announcement = get_object_or_404(Announcement, pk=pk)
    mark_announcement_read(request.user, announcement)
    back = request.POST.get("next", "")
    return redirect(back if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else "/")
