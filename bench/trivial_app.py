"""The reference "trivial Flask endpoint" for bench/pages.py: a bare Flask app, one route, no
database, no session, no extensions. Served by the same gunicorn.conf.py (worker class, threads,
worker count) as Lectern, so the ratio of the two throughputs measures what Lectern's lesson page
costs on top of Flask and gunicorn themselves.

    python -m gunicorn --config gunicorn.conf.py --pythonpath bench trivial_app:app
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok():
    return "ok"
