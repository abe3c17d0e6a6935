from .api import api

# Mounted at /api/: the API checks its own tokens, so the sign-in middleware lets it through.
# The namespace must be the API's own: Wagtail's admin runs another NinjaAPI.
app_name = api.urls_namespace
urlpatterns = api.urls[0]
