from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def toggle_filter(context, name: str, value: str) -> str:
    """The current search URL with one filter value switched on or off (and back to page 1)."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    values = params.getlist(name)
    if value in values:
        values.remove(value)
    elif name == "type":
        values.append(value)
    else:
        values = [value]
    params.setlist(name, values)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()
