"""A minimal server-sent-events bell for bench/bell.py only (routed in bench/urls.py, never in the product).

It holds the request open and pushes the unread count whenever it changes, reading the same
cached header state the polled bell reads (``notifications.header.header_state``: Redis, one
query on a miss). ``BENCH_SSE_TICK`` is how often it looks, in seconds, so that the bench can
compress time on this side as it does for the polling clients.
"""

import os
import time

from django.http import StreamingHttpResponse

from notifications.header import header_state


def bell_stream(request):
    user = request.user
    tick = float(os.environ.get("BENCH_SSE_TICK", "1"))

    def events():
        last = None
        quiet = 0.0
        while True:
            count = header_state(user)["unread"]
            if count != last:
                last, quiet = count, 0.0
                yield f"event: bell\ndata: {count}\n\n"
            elif quiet >= 15 * tick:  # a comment now and then, so proxies keep the stream open
                quiet = 0.0
                yield ": still here\n\n"
            time.sleep(tick)
            quiet += tick

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
