"""Admin for marketing and managers: the chat channels and the log of every message sent to them."""

from django.db.models import Count, Q
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .delivery import TEST_EVENT
from .models import ChatChannel, ChatMessage, Status


def failed_deliveries():
    return Count("messages", filter=Q(messages__status=Status.FAILED) & ~Q(messages__event__startswith=TEST_EVENT))


def _channel_actions(channel: ChatChannel, failed: int) -> list[tuple[str, str, str]]:
    """(label, url, icon) of what can be done to a channel besides editing it."""
    actions = [("Send a test message", reverse("chat_channel_send_test", args=[channel.pk]), "mail")]
    if failed:
        label = f"Resend {failed} failed deliver{'y' if failed == 1 else 'ies'}"
        actions.append((label, reverse("chat_channel_resend", args=[channel.pk]), "redirect"))
    return actions


class ChatChannelIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for priority, (label, url, icon) in enumerate(_channel_actions(instance, instance.failed_count), start=11):
            buttons.append(MenuItem(label, url=url, icon_name=icon, priority=priority))
        return buttons


class ChatChannelEditView(EditView):
    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        failed = self.object.messages.filter(status=Status.FAILED).exclude(event__startswith=TEST_EVENT).count()
        for priority, (label, url, icon) in enumerate(_channel_actions(self.object, failed), start=1):
            buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons


class ChatChannelViewSet(SnippetViewSet):
    model = ChatChannel
    icon = "comment"
    menu_label = "Channels"
    list_display = ["name", "service", Column("follows", label="Follows"), "active"]
    list_filter = ["service", "active"]
    index_view_class = ChatChannelIndexView
    edit_view_class = ChatChannelEditView

    def get_queryset(self, request):
        # The failed count rides along, for the "Resend failed deliveries" button of each row.
        return ChatChannel.objects.select_related("tag", "account", "collection").annotate(
            failed_count=failed_deliveries()
        )

    panels = [
        FieldPanel("name"),
        FieldPanel("service"),
        FieldPanel("webhook_url"),
        MultiFieldPanel(
            [
                HelpPanel(
                    content="Choose one: new tips, posts and videos with this tag or about this account, "
                    "or tips added to this collection, are posted to the channel."
                ),
                FieldPanel("tag"),
                FieldPanel("account"),
                FieldPanel("collection"),
            ],
            heading="Follows",
        ),
        FieldPanel("active"),
    ]


class ChatMessageViewSet(SnippetViewSet):
    """The delivery log: read only, newest first, failures easy to find."""

    model = ChatMessage
    icon = "list-ul"
    menu_label = "Delivery log"
    list_display = [
        "title",
        "channel",
        "status",
        "attempts",
        Column("response_code", label="Response"),
        "last_error",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel"]
    ordering = ["-created_at", "-pk"]
    inspect_view_enabled = True

    def get_queryset(self, request):
        return ChatMessage.objects.select_related("channel")


class ChatViewSetGroup(SnippetViewSetGroup):
    items = (ChatChannelViewSet, ChatMessageViewSet)
    menu_icon = "comment"
    menu_label = "Slack and Teams"
    menu_order = 320


register_snippet(ChatViewSetGroup)


@hooks.register("register_admin_urls")
def register_channel_actions():
    return [
        path("chat/channels/<int:pk>/test/", admin_views.send_test, name="chat_channel_send_test"),
        path("chat/channels/<int:pk>/resend/", admin_views.resend, name="chat_channel_resend"),
    ]
