"""Gunicorn settings for `make run` and production (docs/ARCHITECTURE.md, docs/LIVE.md).

Each worker process runs uvicorn (app/serving.py `Worker`) serving asgi.py: pages are Flask
requests in a pool of LECTERN_PAGE_THREADS threads (default 4), and live-session event streams are
coroutines on the event loop, so an open stream holds no thread and 1,000 of them cost a few MB.

Processes: without REDIS_URL, live-session notifications travel inside one process, so the
default is a single worker (the embedded, zero-setup path). With REDIS_URL they go through Redis
pub/sub and the default is two workers, one per core of a small machine. WEB_CONCURRENCY overrides.
"""
import os

wsgi_app = "asgi:app"
worker_class = "app.serving.Worker"
workers = int(os.environ.get("WEB_CONCURRENCY", "2" if os.environ.get("REDIS_URL") else "1"))
timeout = 60
graceful_timeout = 25
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def worker_exit(server, worker):
    """Jobs (bulk certificate issue, imports) run in threads of the worker and end with it: mark the
    ones still running as interrupted, so their pages say so at once (app/jobs/services.py)."""
    from app.jobs.services import interrupt_local_jobs
    from app.learn.visits import flush_all
    from app.pdf.lazy_render import stop_apart_renders

    flush_all()             # lesson views not yet written (app/learn/visits.py)
    interrupt_local_jobs()
    stop_apart_renders()    # a workbook build in a child process would hold the exit until it finished

# gunicorn 25.1+ opens a control socket for `gunicornc` at one fixed path per user
# ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl). Lectern does not use it, and several instances on
# one host (two sites, the tests' servers side by side) would take the one path from one another.
control_socket_disable = True
