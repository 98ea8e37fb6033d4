"""Settings. Read from the environment inside create_app(), never at import time."""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from app.schedule.times import is_zone

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration is unusable; the message is one line a person can act on."""


class BaseConfig:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # "Keep me signed in": an absolute 14 days from sign-in (Flask-Login's default is 365). A course
    # runs for weeks and a trainee signs in about twice a month; a copied cookie works for a fortnight
    # at most (signing out or changing the password ends it at once). NIST SP 800-63B's AAL1 ceiling is 30.
    REMEMBER_COOKIE_DAYS = 14
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 12
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Sign-in and code limits count failures only (app/auth/throttle.py; docs/DEPLOY.md): a room on
    # one venue address signs in freely, a guesser is slowed. Each can be set in the environment.
    LOGIN_ADDRESS_LIMIT = "20 per minute;100 per hour"        # wrong sign-ins from one address
    LOGIN_ACCOUNT_ADDRESS_LIMIT = "5 per 5 minutes;20 per day"  # wrong passwords for one account from one address
    LOGIN_ACCOUNT_LIMIT = "100 per hour"                     # for one account from anywhere (not known devices)
    REGISTER_CODE_LIMIT = "20 per 10 minutes;60 per hour"    # wrong enrolment codes at /register per address
    REGISTER_ACCOUNT_LIMIT = "300 per hour"                  # accounts created at /register per address
    ENROL_CODE_LIMIT = "20 per 10 minutes;60 per hour"       # wrong codes at /cohorts/join per address
    ENROL_CODE_USER_LIMIT = "10 per 10 minutes;30 per day"   # wrong codes at /cohorts/join per person
    PDF_RENDER_LIMIT = "10 per minute;60 per hour"           # PDFs made (not served from cache) per person
    PDF_RENDER_QUEUE = 2           # PDFs waiting to be laid out per process before requests get 429 (app/pdf/limits.py)
    PASSWORD_CHANGE_ACCOUNT_LIMIT = "5 per 15 minutes;20 per day"     # wrong current passwords at /account/password per person  # noqa: S105 - a rate-limit setting, not a password
    PASSWORD_CHANGE_ADDRESS_LIMIT = "20 per 15 minutes;100 per day"   # the same per address, any account  # noqa: S105 - a rate-limit setting, not a password
    # Argon2 checks and hashes running at once per process (64 MiB and a core each, ~0.14 s); a request
    # that cannot start one within PASSWORD_HASH_WAIT seconds gets 503 with Retry-After (app/auth/passwords.py).
    # 2 leaves half of the default 4 page threads and 2 cores to other pages.
    PASSWORD_HASH_CONCURRENCY = 2
    PASSWORD_HASH_WAIT = 1.0
    LECTERN_PAGE_THREADS = 4          # threads per process serving pages (app/serving.py; measured in BENCHMARKS.md)
    LIVE_STREAMS_PER_PERSON = 3       # per person and session; a new stream replaces the oldest
    LIVE_STREAMS_PER_SESSION = 1500   # per session and process; beyond it pages poll
    LIVE_STREAMS_PER_PROCESS = 3000
    LIVE_RECHECK_SECONDS = 5.0        # how often streams re-check who may still listen
    LIVE_COUNTDOWN_MIN_SECONDS = 10   # the shortest poll countdown the launch form accepts (tests: 1)
    LIVE_STREAM_OPENS_PER_MINUTE = 20  # per browser and process, refused before Flask runs
    LECTERN_BASE_URL = "http://127.0.0.1:5000"
    LECTERN_ISSUER_ORG = "Lectern Professional Training"   # printed on certificates
    LECTERN_TIME_ZONE = "UTC"   # IANA zone of cohorts that name none (their scheduled days; app/schedule)
    LECTERN_HEALTH_TOKEN = ""   # with it, /healthz also shows database backend and schema revision to monitors
    LECTERN_ISSUER_NAME: str | None = None                  # signatory; default: the admin who issues
    # Open Badges 3.0 (app/badges/keys.py): the VC-JWT signing key as a PEM or private JWK (else one is
    # generated once into LECTERN_OB_KEY_DIR, "" = the instance folder's openbadges/, mode 0600)
    LECTERN_OB_SIGNING_KEY = ""
    LECTERN_OB_KEY_DIR = ""
    LECTERN_DEMO = True
    LECTERN_TRUSTED_PROXIES = 0
    CURRICULUM_DIR = str(PROJECT_ROOT / "curriculum")
    QUIZZES_DIR = str(PROJECT_ROOT / "quizzes")
    JOBS_INLINE = False            # run long jobs in the request (tests); otherwise see JOBS_BACKEND
    WORKBOOK_BUILD = "background"  # or "inline": build a missing workbook in the request (tests); app/workbook/background.py
    WORKBOOK_PREPARE_AT_START = True   # build both editions as a server process starts (and when the content changes)
    JOBS_BACKEND = ""              # "thread" or "rq"; empty: rq with REDIS_URL, else thread (app/jobs/services.py)
    JOBS_QUEUE = "lectern"         # the RQ queue's name
    REDIS_PREFIX = "lectern"       # names in a shared Redis: live channels, sign-in counters (and the queue's default name)
    VISITS_BATCH_SECONDS = 1.0     # lesson views gather this long per process, then one write (app/learn/visits.py); 0 = in the request
    CONTENT_RELOAD_SECONDS = 2.0   # look for edited content files this often; 0 = never
    CONTENT_CACHE = True           # keep the rendered catalog on disk by content hash (app/content/cache.py)
    CONTENT_CACHE_DIR = ""         # where; "" = the instance folder's cache/
    TOKEN_MAX_AGE_RESET = 60 * 60 * 2          # password reset links: 2 hours
    TOKEN_MAX_AGE_INVITE = 60 * 60 * 24 * 14   # invitations: 14 days
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_SENDER = "Lectern <no-reply@localhost>"
    MAIL_MAX_ATTEMPTS = 8          # delivery attempts per message before it is marked failed (app/outbox/rules.py)
    MAIL_TIMEOUT = 10              # seconds to wait for the SMTP server
    # xAPI (app/xapi/, docs/INTEROP.md "xAPI"): with an endpoint, learning records go to that LRS
    LECTERN_XAPI_ENDPOINT = ""     # the LRS's xAPI base, e.g. https://lrs.example.org/xAPI (…/statements is added)
    LECTERN_XAPI_USERNAME = ""     # Basic auth (an LRS's "key"; LECTERN_XAPI_KEY is the same setting)
    LECTERN_XAPI_PASSWORD = ""     # (an LRS's "secret"; LECTERN_XAPI_SECRET is the same setting)
    LECTERN_XAPI_BATCH = 50        # statements per POST
    LECTERN_XAPI_MAX_ATTEMPTS = 10  # delivery attempts per statement before it is marked failed
    LECTERN_XAPI_TIMEOUT = 10      # seconds to wait for the LRS
    # Reminders (app/reminders, run by `flask --app wsgi mail tick` or the RQ cron scheduler)
    MAIL_REMIND_INVITATION_DAYS = 3   # remind of an invitation still unused this many days after it was sent
    MAIL_REMIND_INACTIVE_DAYS = 7     # "you have not been back" after this many days (and "stalled" in summaries)
    MAIL_REMIND_ENDING_DAYS = 7       # "your cohort ends soon" this many days before its last day
    MAIL_SUMMARY_WEEKDAY = 0          # instructors' weekly summary: 0 = Monday … 6 = Sunday
    MAIL_TICK_SECONDS = 900           # with Redis: how often `flask --app wsgi mail cron` runs the tick
    TESTING = False
    DEBUG = False


class TestConfig(BaseConfig):
    TESTING = True
    JOBS_INLINE = True
    WORKBOOK_BUILD = "inline"
    WORKBOOK_PREPARE_AT_START = False
    VISITS_BATCH_SECONDS = 0.0
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 - the fixed key of the test configuration only
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False
    TOKEN_MAX_AGE_RESET = 60 * 60
    LECTERN_BASE_URL = "http://localhost"
    LIVE_COUNTDOWN_MIN_SECONDS = 1    # countdowns of a second or two, so tests see time run out


LIMIT_SETTINGS = ("LOGIN_ADDRESS_LIMIT", "LOGIN_ACCOUNT_ADDRESS_LIMIT", "LOGIN_ACCOUNT_LIMIT",
                  "REGISTER_CODE_LIMIT", "REGISTER_ACCOUNT_LIMIT", "ENROL_CODE_LIMIT", "ENROL_CODE_USER_LIMIT",
                  "PDF_RENDER_LIMIT", "PASSWORD_CHANGE_ACCOUNT_LIMIT", "PASSWORD_CHANGE_ADDRESS_LIMIT")


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(key: str, raw: str, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(raw.strip())
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not a {'whole ' if kind is int else ''}number") from None


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use psycopg 3 for all of them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(environ: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    """The settings the environment overrides, as a plain mapping."""
    out: dict[str, Any] = {}
    if environ.get("SECRET_KEY"):
        out["SECRET_KEY"] = environ["SECRET_KEY"]
    url = environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'lectern.db'}"
    out["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if environ.get("REDIS_URL"):
        out["REDIS_URL"] = environ["REDIS_URL"]
        out["RATELIMIT_STORAGE_URI"] = environ["REDIS_URL"]
    if environ.get("JOBS_BACKEND"):
        out["JOBS_BACKEND"] = environ["JOBS_BACKEND"].strip().lower()
    if environ.get("REDIS_PREFIX"):  # several Lecterns on one Redis: each its own names
        out["REDIS_PREFIX"] = environ["REDIS_PREFIX"].strip()
        out["RATELIMIT_KEY_PREFIX"] = out["REDIS_PREFIX"]
        out["JOBS_QUEUE"] = out["REDIS_PREFIX"]
    if environ.get("JOBS_QUEUE"):
        out["JOBS_QUEUE"] = environ["JOBS_QUEUE"]
    if environ.get("LECTERN_BASE_URL"):
        out["LECTERN_BASE_URL"] = environ["LECTERN_BASE_URL"].rstrip("/")
    for key in ("LECTERN_ISSUER_ORG", "LECTERN_ISSUER_NAME", "LECTERN_HEALTH_TOKEN", "LECTERN_OB_SIGNING_KEY",
                "LECTERN_OB_KEY_DIR", "LECTERN_TIME_ZONE"):
        if environ.get(key):
            out[key] = environ[key]
    if "LECTERN_DEMO" in environ:
        out["LECTERN_DEMO"] = _bool(environ["LECTERN_DEMO"])
    if environ.get("LECTERN_TRUSTED_PROXIES"):
        out["LECTERN_TRUSTED_PROXIES"] = int(environ["LECTERN_TRUSTED_PROXIES"])
    for key in LIMIT_SETTINGS:
        if environ.get(key):
            out[key] = environ[key].strip()
    for key in ("LECTERN_PAGE_THREADS", "LIVE_STREAMS_PER_PERSON", "LIVE_STREAMS_PER_SESSION",
                "LIVE_STREAMS_PER_PROCESS", "PDF_RENDER_QUEUE", "PASSWORD_HASH_CONCURRENCY", "REMEMBER_COOKIE_DAYS"):
        if environ.get(key):
            out[key] = _number(key, environ[key], int)
    if environ.get("PASSWORD_HASH_WAIT"):
        out["PASSWORD_HASH_WAIT"] = _number("PASSWORD_HASH_WAIT", environ["PASSWORD_HASH_WAIT"], float)
    if environ.get("FLASK_DEBUG"):
        out["DEBUG"] = _bool(environ["FLASK_DEBUG"])
    for key in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_SENDER"):
        if environ.get(key):
            out[key] = environ[key]
    if environ.get("MAIL_PORT"):
        out["MAIL_PORT"] = int(environ["MAIL_PORT"])
    for key in ("MAIL_MAX_ATTEMPTS", "MAIL_TIMEOUT", "MAIL_REMIND_INVITATION_DAYS", "MAIL_REMIND_INACTIVE_DAYS",
                "MAIL_REMIND_ENDING_DAYS", "MAIL_SUMMARY_WEEKDAY", "MAIL_TICK_SECONDS"):
        if environ.get(key):
            out[key] = _number(key, environ[key], int)
    if "MAIL_USE_TLS" in environ:
        out["MAIL_USE_TLS"] = _bool(environ["MAIL_USE_TLS"])
    if environ.get("LECTERN_XAPI_ENDPOINT"):
        out["LECTERN_XAPI_ENDPOINT"] = environ["LECTERN_XAPI_ENDPOINT"].strip().rstrip("/")
    for key, alias in (("LECTERN_XAPI_USERNAME", "LECTERN_XAPI_KEY"), ("LECTERN_XAPI_PASSWORD", "LECTERN_XAPI_SECRET")):
        if environ.get(key) or environ.get(alias):
            out[key] = environ.get(key) or environ[alias]
    for key in ("LECTERN_XAPI_BATCH", "LECTERN_XAPI_MAX_ATTEMPTS", "LECTERN_XAPI_TIMEOUT"):
        if environ.get(key):
            out[key] = _number(key, environ[key], int)
    return out


def _running_config_check() -> bool:
    """True only in the process of `flask … config check`."""
    import sys

    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    return any(args[i:i + 2] == ["config", "check"] for i in range(len(args)))


def finalise(config: dict[str, Any]) -> None:
    """Derive dependent settings and refuse an unusable configuration."""
    if not config.get("SECRET_KEY"):
        if config.get("DEBUG") or config.get("TESTING"):
            config["SECRET_KEY"] = os.urandom(32).hex()
        elif _running_config_check():
            # `flask config check` must start in order to report this (and nothing else may run)
            config["SECRET_KEY"] = os.urandom(32).hex()
            config["LECTERN_SECRET_KEY_MISSING"] = True
        else:
            raise ConfigError(
                "SECRET_KEY is not set: export SECRET_KEY=<a long random string> "
                "(for example from `python -c 'import secrets; print(secrets.token_hex(32))'`)"
            )
    if int(config.get("MAIL_MAX_ATTEMPTS") or 0) < 1 or int(config.get("MAIL_TIMEOUT") or 0) < 1:
        raise ConfigError("MAIL_MAX_ATTEMPTS and MAIL_TIMEOUT must be whole numbers of at least 1")
    endpoint = str(config.get("LECTERN_XAPI_ENDPOINT") or "")
    if endpoint and not re.match(r"https?://[^/\s]+", endpoint):
        raise ConfigError(f"LECTERN_XAPI_ENDPOINT={endpoint!r} must be an http:// or https:// address "
                          "(the LRS's xAPI base, e.g. https://lrs.example.org/xAPI)")
    if endpoint and not (1 <= int(config.get("LECTERN_XAPI_BATCH") or 0) <= 500
                         and int(config.get("LECTERN_XAPI_MAX_ATTEMPTS") or 0) >= 1
                         and int(config.get("LECTERN_XAPI_TIMEOUT") or 0) >= 1):
        raise ConfigError("LECTERN_XAPI_BATCH must be 1 to 500; LECTERN_XAPI_MAX_ATTEMPTS and LECTERN_XAPI_TIMEOUT at least 1")
    for key in ("MAIL_REMIND_INVITATION_DAYS", "MAIL_REMIND_INACTIVE_DAYS", "MAIL_REMIND_ENDING_DAYS", "MAIL_TICK_SECONDS"):
        if int(config.get(key) or 0) < 1:
            raise ConfigError(f"{key} must be a whole number of at least 1")
    if not 0 <= int(config.get("MAIL_SUMMARY_WEEKDAY") or 0) <= 6:
        raise ConfigError("MAIL_SUMMARY_WEEKDAY must be 0 (Monday) to 6 (Sunday)")
    if not is_zone(str(config.get("LECTERN_TIME_ZONE") or "")):
        raise ConfigError(f"LECTERN_TIME_ZONE={config.get('LECTERN_TIME_ZONE')!r} is not an IANA time zone "
                          "(for example Europe/Berlin or America/New_York)")
    if config.get("JOBS_BACKEND") not in ("", None, "thread", "rq"):
        raise ConfigError(f"JOBS_BACKEND must be thread or rq, not {config['JOBS_BACKEND']!r}")
    if config.get("JOBS_BACKEND") == "rq" and not config.get("REDIS_URL"):
        raise ConfigError("JOBS_BACKEND=rq needs REDIS_URL (the queue lives in Redis)")
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", str(config.get("REDIS_PREFIX", ""))):
        raise ConfigError(f"REDIS_PREFIX={config.get('REDIS_PREFIX')!r}: use 1 to 40 letters, digits, '.', '_' or '-'")
    for key in LIMIT_SETTINGS:
        _check_limit(key, config.get(key))
    if not isinstance(config.get("PDF_RENDER_QUEUE"), int) or config["PDF_RENDER_QUEUE"] < 0:
        raise ConfigError(f"PDF_RENDER_QUEUE={config.get('PDF_RENDER_QUEUE')!r} must be a whole number, 0 or more")
    if not 1 <= int(config.get("PASSWORD_HASH_CONCURRENCY", 0)) <= 64:
        raise ConfigError(f"PASSWORD_HASH_CONCURRENCY={config.get('PASSWORD_HASH_CONCURRENCY')!r}: use 1 to 64 "
                          "(Argon2 checks at once per process; each takes 64 MiB)")
    if not 0 <= float(config.get("PASSWORD_HASH_WAIT", -1)) <= 30:
        raise ConfigError(f"PASSWORD_HASH_WAIT={config.get('PASSWORD_HASH_WAIT')!r}: use 0 to 30 seconds")
    if not 1 <= int(config.get("REMEMBER_COOKIE_DAYS", 0)) <= 365:
        raise ConfigError(f"REMEMBER_COOKIE_DAYS={config.get('REMEMBER_COOKIE_DAYS')!r}: use 1 to 365 days")
    config["REMEMBER_COOKIE_DURATION"] = timedelta(days=int(config["REMEMBER_COOKIE_DAYS"]))
    if str(config.get("LECTERN_BASE_URL", "")).startswith("https://"):
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config.setdefault("PREFERRED_URL_SCHEME", "https")
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {"timeout": 15})
        options["pool_pre_ping"] = False   # a file never drops a connection: no ping on every checkout
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _check_limit(key: str, value: object) -> None:
    from limits import parse_many

    try:
        if not value or not parse_many(str(value)):
            raise ValueError
    except ValueError:
        raise ConfigError(f"{key}={value!r} is not a rate limit; write it like \"20 per minute;100 per hour\"") from None
