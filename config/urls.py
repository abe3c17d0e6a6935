from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from leaderboard import api_tokens

from . import throttling, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/password_reset/", throttling.ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("saml2/", include("identity.saml")),
    path("accounts/oidc/", include("identity.oidc")),
    path("scim/v2/", include("identity.scim.urls")),
    path("account/api-tokens/", api_tokens.api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", api_tokens.revoke_api_token, name="api_token_revoke"),
    path(
        "admin/password_reset/",
        throttling.ThrottledAdminPasswordResetView.as_view(),
        name="wagtailadmin_password_reset",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$", views.protected_media, name="media"),
    # Only the comment routes the site uses (not comments-xtd's API, confirmation or flags).
    path("comments/", include("knowledge.comment_urls")),
    path("api/", include("leaderboard.api_urls")),
    path("search/", include("knowledge.sitesearch.urls")),
    path("meaning/", include("knowledge.semantic.urls")),
    path("", include("knowledge.urls")),
    path("coaching/", include("coaching.urls")),
    path("leaderboard/", include("leaderboard.urls")),
    path("notifications/", include("notifications.urls")),
    path("slack/", include("chat.urls")),
    # Wagtail's page tree answers everything else (home, tips, coaching pages).
    path("", include(wagtail_urls)),
]
