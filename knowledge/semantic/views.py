from django.shortcuts import render
from django.views.decorators.http import require_GET

from .duplicates import already_shared as find_already_shared

# The share forms send what the rep has typed so far under their own field names.
TEXT_FIELDS = ("title", "summary", "text", "q")


@require_GET
def already_shared(request):
    """An HTML fragment for the share forms: up to three items that already say nearly the same."""
    text = " ".join(request.GET.get(name, "").strip() for name in TEXT_FIELDS)
    return render(request, "semantic/already_shared.html", {"duplicates": find_already_shared(text)})
