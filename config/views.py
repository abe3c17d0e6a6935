import mimetypes
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.utils._os import safe_join
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any database failure means "unhealthy"
        return JsonResponse({"status": "error", "database": str(error)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def protected_media(request, path):
    """Uploaded files go only to signed-in users (the middleware has already checked)."""
    try:
        full_path = Path(safe_join(settings.MEDIA_ROOT, path))
    except ValueError as error:  # a path that escapes MEDIA_ROOT
        raise Http404 from error
    if not full_path.is_file():
        raise Http404
    content_type, _ = mimetypes.guess_type(full_path.name)
    if settings.MEDIA_ACCEL:
        # The proxy streams the file; Django only decided who may have it.
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        header = "X-Accel-Redirect" if settings.MEDIA_ACCEL == "nginx" else "X-Sendfile"
        target = settings.MEDIA_ACCEL_PREFIX + path if header == "X-Accel-Redirect" else str(full_path)
        response[header] = target
        return response
    # FileResponse honours HTTP Range requests only through a proxy, so videos can seek
    # when served by nginx; served by Django they stream from the start.
    return FileResponse(full_path.open("rb"), content_type=content_type)
