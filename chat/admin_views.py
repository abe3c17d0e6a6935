"""The channel's two admin actions: send a test message now, and queue its failed deliveries again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from .delivery import TEST_EVENT, resend_failed, send_test_message
from .models import ChatChannel, ChatMessage, Status

LOG = "wagtailsnippets_chat_chatmessage:list"


def _channel_for(request, pk) -> ChatChannel:
    if not request.user.has_perm("chat.change_chatchannel"):
        raise PermissionDenied("Only marketing and managers look after chat channels.")
    return get_object_or_404(ChatChannel, pk=pk)


def _log_url(channel: ChatChannel) -> str:
    return f"{reverse(LOG)}?channel={channel.pk}"


def send_test(request, pk):
    """GET asks first; POST sends and says what the channel's webhook answered."""
    channel = _channel_for(request, pk)
    if request.method == "POST":
        message = send_test_message(channel, by=request.user)
        if message.status == Status.SENT:
            messages.success(request, f"The test message reached {channel.name} (HTTP {message.response_code}).")
        else:
            messages.error(request, f"The test message to {channel.name} failed: {message.last_error or 'no answer'}.")
        return redirect(_log_url(channel))
    return TemplateResponse(
        request,
        "chat/admin/confirm_action.html",
        {
            "channel": channel,
            "title": "Send a test message?",
            "explanation": f"Huddle posts one short test message to {channel.name} now and shows you the answer. "
            "It is recorded in the delivery log and is not retried.",
            "confirm": "Send the test message",
            "action": reverse("chat_channel_send_test", args=[channel.pk]),
        },
    )


def resend(request, pk):
    """GET says how many would go again; POST queues them for the worker."""
    channel = _channel_for(request, pk)
    if request.method == "POST":
        if not channel.active:
            messages.error(request, f"{channel.name} is switched off: switch it on first, then resend.")
            return redirect(_log_url(channel))
        count = resend_failed(channel)
        if count:
            messages.success(
                request,
                f"{count} failed deliver{'y' if count == 1 else 'ies'} to {channel.name} queued again; "
                "the log shows each one's outcome.",
            )
        else:
            messages.info(request, f"No failed deliveries to {channel.name} to resend.")
        return redirect(_log_url(channel))
    failed = (
        ChatMessage.objects.filter(channel=channel, status=Status.FAILED).exclude(event__startswith=TEST_EVENT).count()
    )
    return TemplateResponse(
        request,
        "chat/admin/confirm_action.html",
        {
            "channel": channel,
            "title": "Resend failed deliveries?",
            "explanation": f"{failed} message{'s' if failed != 1 else ''} to {channel.name} failed. Each goes "
            "once more, with its retries, and is sent once however often this is pressed.",
            "confirm": "Resend them" if failed else None,
            "action": reverse("chat_channel_resend", args=[channel.pk]),
        },
    )
