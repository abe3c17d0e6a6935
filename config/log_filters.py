"""Logging filters named in settings.LOGGING."""

import logging


class RefusalsInOneLine(logging.Filter):
    """Keeps a 4xx answer's log line (a 403 from PermissionDenied) but drops its traceback.

    Refusing access is expected; the path and the status say all there is. 5xx keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
