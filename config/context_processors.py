def navigation(request):
    """Marks the navigation entry for the section the page is in."""
    path = request.path
    for section, prefix in (
        ("tips", "/tips/"),
        ("coaching", "/coaching/"),
        ("leaderboard", "/leaderboard/"),
        ("search", "/search/"),
    ):
        if path.startswith(prefix):
            return {"nav_section": section}
    return {"nav_section": "home" if path == "/" else ""}
