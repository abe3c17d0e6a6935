from django.utils.functional import SimpleLazyObject

from .header import header_state


def bell(request):
    """The header's state (unread count, first-run question), loaded only if a template reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_header": SimpleLazyObject(lambda: header_state(user))}
