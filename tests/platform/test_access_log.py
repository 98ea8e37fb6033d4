"""Access-log redaction of reset and invitation tokens (app/accesslog.py; issue 15, finding 4)."""
import logging

import pytest

from app.accesslog import RedactLinkTokens, redact_link_tokens

TOKEN = "InNlY3JldCI.aBcDeF.s1gnatur3_-xyz"


@pytest.mark.parametrize("given,expected", [
    (f"/reset/{TOKEN}", "/reset/[redacted]"),
    (f"/invite/{TOKEN}", "/invite/[redacted]"),
    (f"/reset/{TOKEN}?x=1", "/reset/[redacted]?x=1"),
    (f"/login?next=%2Finvite%2F{TOKEN}", "/login?next=%2Finvite%2F[redacted]"),
    (f'127.0.0.1 - "POST /reset/{TOKEN} HTTP/1.1" 302', '127.0.0.1 - "POST /reset/[redacted] HTTP/1.1" 302'),
    ("/admin/users/3/link", "/admin/users/3/link"),
    ("/resetting/abc", "/resetting/abc"),
    ("/learn/reset-your-mind", "/learn/reset-your-mind"),
])
def test_finding_4_access_log_redaction_hides_link_tokens(given, expected):
    assert redact_link_tokens(given) == expected


def _record(msg, args):
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, msg, args, None)


def test_finding_4_the_filter_rewrites_uvicorn_records_and_keeps_them():
    record = _record('%s - "%s %s HTTP/%s" %d', ("10.0.0.1:5000", "GET", f"/invite/{TOKEN}", "1.1", 200))
    assert RedactLinkTokens().filter(record) is True
    assert record.getMessage() == '10.0.0.1:5000 - "GET /invite/[redacted] HTTP/1.1" 200'


def test_finding_4_the_filter_rewrites_gunicorn_atoms_in_place():
    from gunicorn.glogging import SafeAtoms

    atoms = SafeAtoms({"r": f"GET /reset/{TOKEN} HTTP/1.1", "U": f"/reset/{TOKEN}", "s": "200",
                       "{referer}i": f"https://lectern.example/reset/{TOKEN}"})
    record = _record('%(h)s "%(r)s" %(s)s', (atoms,))
    RedactLinkTokens().filter(record)
    assert record.args is atoms
    assert TOKEN not in repr(dict(atoms)) and atoms["r"] == "GET /reset/[redacted] HTTP/1.1"


def test_finding_4_create_app_installs_the_filter_on_every_access_logger():
    from app import create_app

    for _ in range(2):  # once, however many apps a process builds
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for name in ("uvicorn.access", "gunicorn.access", "werkzeug"):
        filters = [f for f in logging.getLogger(name).filters if isinstance(f, RedactLinkTokens)]
        assert len(filters) == 1, name
