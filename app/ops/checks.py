"""Is this configuration fit for production? Pure checks over the settings, plus the few facts
only a running system can tell (database, Redis, content), passed in by the caller."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

ERROR, WARNING = "error", "warning"

# Values seen in examples, tutorials and this project's own tests: never secrets.
KNOWN_WEAK_SECRETS = {"secret", "changeme", "change-me", "dev", "development", "test", "password", "lectern",
                      "test-secret-key-not-for-production", "your-secret-key", "secret-key", "x"}
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class Finding:
    level: str
    setting: str
    message: str

    def __str__(self) -> str:
        return f"{self.level.upper():7} {self.setting}: {self.message}"


@dataclass(frozen=True)
class SystemFacts:
    """What the caller found out by trying: None = not checked."""
    secret_missing: bool = False
    database_reachable: bool | None = None
    schema_current: bool | None = None
    demo_passwords_work: tuple[str, ...] = ()     # demo accounts that still sign in with their demo password
    redis_reachable: bool | None = None
    job_workers: int | None = None                # RQ workers registered in Redis (JOBS_BACKEND rq)
    content_problems: int = 0


def weak_secret(secret: str) -> str | None:
    """Why a secret key is too weak, or None."""
    if secret.strip().lower() in KNOWN_WEAK_SECRETS or secret.startswith(("test-", "shared-secret")):
        return "it is a well-known example value"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"it has {len(secret)} characters; use at least {MIN_SECRET_LENGTH} random ones"
    if len(set(secret)) < 10:
        return "it repeats a few characters; use a random value"
    return None


def check(config: Mapping[str, Any], environ: Mapping[str, str], facts: SystemFacts) -> list[Finding]:
    out: list[Finding] = []

    def error(setting: str, message: str) -> None:
        out.append(Finding(ERROR, setting, message))

    def warning(setting: str, message: str) -> None:
        out.append(Finding(WARNING, setting, message))

    how = "generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"
    if facts.secret_missing or not config.get("SECRET_KEY"):
        error("SECRET_KEY", f"not set; Lectern will not start without it ({how})")
    else:
        reason = weak_secret(str(config["SECRET_KEY"]))
        if reason:
            error("SECRET_KEY", f"too weak: {reason} ({how})")
    if config.get("LECTERN_DEMO", True):
        error("LECTERN_DEMO", "the demo accounts are on (the default); set LECTERN_DEMO=0 in production")
    for email in facts.demo_passwords_work:
        error("demo accounts", f"{email} still signs in with its published demo password; deactivate it or "
                               "change the password (flask --app wsgi users link --email …)")
    if config.get("DEBUG"):
        error("FLASK_DEBUG", "debug mode is on: it shows code and data on errors; unset FLASK_DEBUG")
    if config.get("TESTING"):
        error("TESTING", "the test configuration is in use")
    if not config.get("RATELIMIT_ENABLED", True):
        error("RATELIMIT_ENABLED", "sign-in and join-code rate limits are off")
    if not config.get("WTF_CSRF_ENABLED", True):
        error("WTF_CSRF_ENABLED", "CSRF protection is off")

    base = str(config.get("LECTERN_BASE_URL") or "")
    host = urlsplit(base).hostname or ""
    if not base.startswith("https://"):
        if host in ("127.0.0.1", "localhost", ""):
            warning("LECTERN_BASE_URL", f"{base or 'not set'}: set the public https:// address, used in "
                                        "invitation and verification links and QR codes")
        else:
            error("LECTERN_BASE_URL", f"{base} is not https: sign-in cookies would travel unencrypted")
    elif not config.get("LECTERN_TRUSTED_PROXIES"):
        warning("LECTERN_TRUSTED_PROXIES", "0: behind a reverse proxy, set it to the number of proxies so rate "
                                           "limits see the real client address, not the proxy's")

    database = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    workers = int(environ.get("WEB_CONCURRENCY", "2" if config.get("REDIS_URL") else "1") or 1)
    if database.startswith("sqlite"):
        warning("DATABASE_URL", "not set: SQLite in the instance folder. Fine for one host; back it up with "
                                "`flask --app wsgi backup FILE` (docs/DEPLOY.md)")
    if workers > 1 and not config.get("REDIS_URL"):
        error("REDIS_URL", f"not set with {workers} workers: live-session events and rate limits would not be "
                           "shared between processes; set REDIS_URL or WEB_CONCURRENCY=1")
    if config.get("REDIS_URL") and facts.redis_reachable is False:
        error("REDIS_URL", "Redis does not answer")
    if facts.job_workers == 0:
        warning("JOBS_BACKEND", "rq, and no job worker is running: bulk certificate issue and imports will wait "
                                "until one is (`flask --app wsgi jobs worker`, docs/DEPLOY.md)")
    if facts.database_reachable is False:
        error("DATABASE_URL", "the database does not answer")
    elif facts.schema_current is False:
        error("database schema", "not at the latest revision: run `flask --app wsgi db upgrade` before starting")
    if facts.content_problems:
        error("content", f"{facts.content_problems} problem(s) in curriculum/ or quizzes/: "
                         "run `flask --app wsgi content check`")
    if not config.get("MAIL_SERVER"):
        warning("MAIL_SERVER", "not set: invitation and reset links are shown to the administrator to pass "
                               "on by hand instead of being mailed")
    return out
