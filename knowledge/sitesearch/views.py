from django.shortcuts import render
from django.views.decorators.http import require_GET

from .searching import KINDS, SearchFilters, search_site
from .searchlog import log_search
from .suggestions import suggestions_for


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()
    filters = SearchFilters.from_query_dict(request.GET)
    page = request.GET.get("page", "1")
    outcome = None
    if query:
        outcome = search_site(query, filters=filters, page=int(page) if page.isdigit() else 1, request=request)
        if outcome.page == 1:
            log_search(query, result_count=outcome.total, user=request.user)
    return render(
        request,
        "sitesearch/search.html",
        {
            "search_query": query,
            "outcome": outcome,
            "filters": filters,
            "kinds": KINDS.values(),
        },
    )


@require_GET
def suggest(request):
    """Autocomplete for the header search box: options for its <datalist>."""
    return render(request, "sitesearch/suggestions.html", {"suggestions": suggestions_for(request.GET.get("q", ""))})
