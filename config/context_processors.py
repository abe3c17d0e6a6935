from config.templatetags.site_links import site_links


def navigation(request):
    """Marks the navigation entry for the section the page is in; the header's fixed links."""
    path = request.path
    for section, prefix in (
        ("tips", "/tips/"),
        ("coaching", "/coaching/"),
        ("leaderboard", "/leaderboard/"),
        ("search", "/search/"),
    ):
        if path.startswith(prefix):
            return {"nav_section": section, "site_links": site_links()}
    return {"nav_section": "home" if path == "/" else "", "site_links": site_links()}
