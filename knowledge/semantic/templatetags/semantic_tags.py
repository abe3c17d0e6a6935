from django import template

from knowledge.semantic import encoder
from knowledge.semantic.related import related_tips as find_related_tips

register = template.Library()


@register.inclusion_tag("semantic/related_tips.html", takes_context=True)
def related_tips(context, obj):
    """The five live tips nearest in meaning to obj (a tip or a coaching video)."""
    return {"related": find_related_tips(obj), "request": context.get("request")}


@register.inclusion_tag("semantic/already_shared_area.html")
def already_shared_area(*selectors: str):
    """An empty area that fills with near-duplicates after a pause in typing into the given inputs."""
    return {"enabled": encoder.is_enabled(), "sources": selectors, "fields": ", ".join(selectors)}
