"""Gunicorn settings for `make run` and production (see docs/ARCHITECTURE.md).

Threaded workers (gthread): requests that wait on I/O, such as the live-session event streams
to come, occupy a thread rather than a whole process. Two processes use both cores of a small
machine; WEB_CONCURRENCY and GUNICORN_THREADS override.
"""
import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
