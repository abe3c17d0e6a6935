from django import template
from django.http import QueryDict

register = template.Library()


def _params(request, **replaced: list[str]) -> QueryDict:
    """The request's query parameters, some replaced (an empty list drops one), in their order.

    A page links every facet value through here: copying ``request.GET`` deep-copies it each time.
    """
    params = QueryDict(mutable=True, encoding=request.GET.encoding)
    for key, values in request.GET.lists():
        params.setlist(key, replaced.pop(key, values))
    for key, values in replaced.items():
        params.setlist(key, values)
    return params


@register.simple_tag(takes_context=True)
def toggle_filter(context, name: str, value: str) -> str:
    """The current search URL with one filter value switched on or off (and back to page 1)."""
    request = context["request"]
    values = request.GET.getlist(name)
    if value in values:
        values.remove(value)
    elif name == "type":
        values.append(value)
    else:
        values = [value]
    return "?" + _params(request, page=[], **{name: values}).urlencode()


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    request = context["request"]
    return "?" + _params(request, page=[str(number)]).urlencode()
