from django.urls import path

from . import views
from .feeds import LatestTipsFeed, private_feed

urlpatterns = [
    path("account/<int:pk>/", views.account_detail, name="account_detail"),
    path("account/suggest/", views.account_suggestions, name="account_suggestions"),
    path("tags/<str:slug>/", views.tag_detail, name="tag_detail"),
    path("people/<str:username>/", views.profile, name="profile"),
    path("tips/new/", views.tip_create, name="tip_create"),
    path("tips/<int:pk>/edit/", views.tip_edit, name="tip_edit"),
    path("microposts/", views.micropost_create, name="micropost_create"),
    path("microposts/<int:pk>/", views.micropost_detail, name="micropost_detail"),
    path("microposts/<int:pk>/edit/", views.micropost_edit, name="micropost_edit"),
    path("microposts/<int:pk>/delete/", views.micropost_delete, name="micropost_delete"),
    path(
        "helpful/<int:content_type_id>/<int:object_id>/",
        views.helpful_toggle,
        name="helpful_toggle",
    ),
    path("viewed/<int:content_type_id>/<int:object_id>/", views.view_beacon, name="view_beacon"),
    path("feeds/tips/", LatestTipsFeed(), name="tips_feed"),
    path("feeds/", views.feeds_page, name="feeds"),
    path("feeds/new-key/", views.feed_key_regenerate, name="feed_key_regenerate"),
    # Read by feed readers without a session: the key says whose feed it is (@login_not_required).
    path("feeds/private/<str:key>/tips/", private_feed, {"kind": "tips"}, name="private_feed_tips"),
    path("feeds/private/<str:key>/microposts/", private_feed, {"kind": "microposts"}, name="private_feed_microposts"),
    path("feeds/private/<str:key>/videos/", private_feed, {"kind": "videos"}, name="private_feed_videos"),
    path("feeds/private/<str:key>/tags/<str:value>/", private_feed, {"kind": "tag"}, name="private_feed_tag"),
    path(
        "feeds/private/<str:key>/accounts/<int:value>/", private_feed, {"kind": "account"}, name="private_feed_account"
    ),
    path("feeds/private/<str:key>/people/<str:value>/", private_feed, {"kind": "person"}, name="private_feed_person"),
    # Browsers and feed readers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", views.favicon, name="favicon"),
]
