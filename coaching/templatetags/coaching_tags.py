from django import template

from ..models import format_timestamp

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Seconds as 1:23 (or 1:02:03)."""
    try:
        return format_timestamp(float(seconds))
    except (TypeError, ValueError):
        return ""


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def score_label(value) -> str:
    """An average score as 3.7, or a dash when nobody scored yet."""
    return "–" if value is None else f"{value:.1f}"


@register.filter
def whole_seconds(seconds) -> int:
    """The second a time falls in (83.9 -> 83), as #t= links use."""
    try:
        return int(float(seconds))
    except (TypeError, ValueError):
        return 0
