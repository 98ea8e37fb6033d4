"""The application gunicorn serves (gunicorn.conf.py): Flask pages in a thread pool, live event
streams on the event loop (app/serving.py)."""
from app import create_app
from app.serving import LecternASGI

app = LecternASGI(create_app())
