"""Gunicorn settings for `make run` and production (docs/ARCHITECTURE.md, docs/LIVE.md).

Threaded workers (gthread). A live session keeps one Server-Sent Events stream open per
participant, and each open stream occupies one thread while it waits (it holds no database
connection). 300 people in a room therefore need 300+ threads: threads waiting on a queue cost a
little memory and no CPU, so each worker runs GUNICORN_THREADS (default 400) of them.

Processes: without REDIS_URL, live-session notifications travel inside one process, so the
default is a single worker (the embedded, zero-setup path). With REDIS_URL they go through Redis
pub/sub and the default is two workers, one per core of a small machine. WEB_CONCURRENCY overrides.
"""
import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2" if os.environ.get("REDIS_URL") else "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "400"))
worker_connections = 2000
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """On SIGTERM, end open event streams at once instead of holding shutdown for graceful_timeout
    (browsers reconnect, to this server once restarted or to another worker)."""
    import signal

    stop_worker = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        from app.live.broker import close_all

        close_all()
        if callable(stop_worker):
            stop_worker(signum, frame)

    signal.signal(signal.SIGTERM, on_term)


def worker_exit(server, worker):
    """Jobs (bulk certificate issue, imports) run in threads of the worker and end with it: mark the
    ones still running as interrupted, so their pages say so at once (app/jobs/services.py)."""
    from app.jobs.services import interrupt_local_jobs

    interrupt_local_jobs()
