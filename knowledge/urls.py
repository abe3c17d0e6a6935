from django.urls import path

from . import views
from .feeds import LatestTipsFeed

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
    path("feeds/tips/", LatestTipsFeed(), name="tips_feed"),
    # Browsers and feed readers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", views.favicon, name="favicon"),
]
