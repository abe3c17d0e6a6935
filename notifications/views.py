"""The notifications page, the bell, preferences, follow buttons, first-run follows, unsubscribe."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chat.models import Service as ChatService

from . import first_run, preferences, recording
from .follows import follow_label, followable_model, toggle_follow
from .models import DigestFrequency, Kind, Notification, NotificationSettings
from .templatetags.notifications_tags import forget_followed
from .unsubscribe import read_token

PER_PAGE = 30


def notification_list(request):
    rows = Notification.objects.filter(recipient=request.user).listed().select_related("actor")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    first_run.record_visit(request.user)
    return render(request, "notifications/notification_list.html", {"notifications": page})


def bell(request):
    """The bell alone, polled by htmx every few seconds: one cached count, nothing else."""
    first_run.record_visit(request.user)
    return render(request, "notifications/includes/bell_button.html")


def notification_open(request, pk):
    """Marks the notification read and goes where it leads."""
    row = get_object_or_404(Notification, pk=pk, recipient=request.user)
    recording.mark_read(request.user, row.pk)
    url = row.url if url_has_allowed_host_and_scheme(row.url, allowed_hosts=None) else "/"
    return redirect(url)


@require_POST
def mark_read(request, pk):
    row = get_object_or_404(Notification, pk=pk, recipient=request.user)
    recording.mark_read(request.user, pk)
    if request.headers.get("HX-Request"):
        row.refresh_from_db()
        return render(request, "notifications/includes/notification_item.html", {"row": row})
    return redirect("notifications")


@require_POST
def mark_all_read(request):
    changed = recording.mark_read(request.user)
    messages.success(request, f"Marked {changed} notification{'s' if changed != 1 else ''} read.")
    return redirect("notifications")


def preferences_page(request):
    current = preferences.settings_for(request.user)
    grid = None
    if request.method == "POST":
        digest = request.POST.get("digest", "")
        switched_on = set(request.POST.getlist("on"))
        service = request.POST.get("chat_service") or current.chat_service
        webhook_url = request.POST.get("chat_webhook_url", "").strip()
        problem = preferences.chat_problem(switched_on, service, webhook_url)
        if digest not in DigestFrequency.values:
            problem = "Choose how often the digest comes: never, daily or weekly."
        if problem:
            messages.error(request, problem)
            # Shown again as sent, so that nothing chosen is lost.
            grid = preferences.grid_from(switched_on)
            current.digest = digest if digest in DigestFrequency.values else current.digest
            current.chat_service, current.chat_webhook_url = service, webhook_url
            current.email_off = request.POST.get("email_off") == "on"
        else:
            preferences.save_grid(request.user, switched_on)
            current.digest = digest
            current.email_off = request.POST.get("email_off") == "on"
            current.chat_service, current.chat_webhook_url = service, webhook_url
            current.save()
            messages.success(request, "Your notification settings were saved.")
            return redirect("notification_preferences")
    context = {
        "grid": grid or preferences.grid_for(request.user),
        "settings": current,
        "frequencies": DigestFrequency.choices,
        "chat_services": ChatService.choices,
    }
    return render(request, "notifications/preferences.html", context, status=400 if grid else 200)


@require_POST
def follow_toggle(request, content_type_id, object_id):
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    if not followable_model(content_type):
        raise Http404("That cannot be followed.")
    try:
        obj = content_type.get_object_for_this_type(pk=object_id)
    except content_type.model_class().DoesNotExist as error:
        raise Http404("Nothing to follow there.") from error
    if obj == request.user:
        raise PermissionDenied("You can't follow yourself.")
    following = toggle_follow(request.user, obj)
    forget_followed(request.user)
    context = {
        "content_type_id": content_type.pk,
        "object_id": obj.pk,
        "following": following,
        "label": follow_label(obj),
    }
    if request.headers.get("HX-Request"):
        return render(request, "notifications/includes/follow_button.html", context)
    messages.success(request, f"{'Following' if following else 'Stopped following'} {follow_label(obj)}.")
    back = request.POST.get("next", "")
    return redirect(back if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else "/")


@require_POST
def first_run_choice(request):
    """The first-run question: follow the tags of my accounts, or not now. Asked once."""
    followed = first_run.answer(request.user, follow=request.POST.get("choice") == "follow")
    if followed:
        messages.success(
            request,
            f"You now follow {len(followed)} tag{'s' if len(followed) != 1 else ''}: "
            + ", ".join(f"#{tag.name}" for tag in followed)
            + ".",
        )
    back = request.POST.get("next", "")
    return redirect(back if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else "/")


@login_not_required  # the signed token says who; mail clients have no session
@csrf_exempt  # RFC 8058: mail clients POST without a session or a CSRF token; the signed token is the proof
def unsubscribe(request, token):
    found = read_token(token)
    user = get_user_model().objects.filter(pk=found[0], is_active=True).first() if found else None
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    kind = found[1]
    if kind == "digest":
        label = "the e-mail digest"
    elif kind in Kind.values:
        label = f"e-mails about “{Kind(kind).label.lower()}”"
    else:
        label = "every e-mail from Huddle"
    if request.method == "POST":
        if kind == "digest":
            NotificationSettings.objects.update_or_create(user=user, defaults={"digest": DigestFrequency.NEVER})
        else:
            preferences.turn_off(user, kind=kind or None)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return render(request, "notifications/unsubscribe.html", {"done": True, "label": label})
    return render(request, "notifications/unsubscribe.html", {"label": label, "token": token})
