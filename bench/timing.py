"""Where a request's time goes inside a web worker, for bench/load.py (bench.settings only).

With ``BENCH_TIMING_LOG`` set, each request that carries an ``X-Bench-Id`` header appends one
line to that file: the id, then milliseconds of wall time in the worker, CPU time of the worker's
thread, time waiting on the database, time in garbage collection, the number of queries, and
when the worker started on it (Unix time). The load bench joins these lines with what its client
measured: from sending to the worker starting is the wait for a free worker; from the worker
finishing to the client reading the answer is the network and the client's own delay.
"""

import gc
import os
import time

from django.db import connection

_gc = {"started": 0.0, "total": 0.0}


def _gc_clock(phase: str, info: dict) -> None:
    if phase == "start":
        _gc["started"] = time.perf_counter()
    else:
        _gc["total"] += time.perf_counter() - _gc["started"]


gc.callbacks.append(_gc_clock)


class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.path = os.environ.get("BENCH_TIMING_LOG", "")

    def __call__(self, request):
        request_id = request.headers.get("X-Bench-Id")
        if not self.path or not request_id:
            return self.get_response(request)
        database = {"seconds": 0.0, "queries": 0}

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                database["seconds"] += time.perf_counter() - started
                database["queries"] += 1

        began = time.time()
        wall, cpu, collected = time.perf_counter(), time.thread_time(), _gc["total"]
        with connection.execute_wrapper(timed):
            response = self.get_response(request)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        with open(self.path, "a") as log:
            log.write(
                f"{request_id} {1000 * wall:.2f} {1000 * cpu:.2f} {1000 * database['seconds']:.2f} "
                f"{1000 * (_gc['total'] - collected):.2f} {database['queries']} {began:.6f}\n"
            )
        return response
