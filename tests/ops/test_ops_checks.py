"""Production readiness checks, without a running system."""
from app.ops.checks import ERROR, WARNING, SystemFacts, check, weak_secret

STRONG = "9f2c4e7a1b3d5f60718293a4b5c6d7e8f9012345"
PRODUCTION = {"SECRET_KEY": STRONG, "LECTERN_DEMO": False, "LECTERN_BASE_URL": "https://training.example.org",
              "LECTERN_TRUSTED_PROXIES": 1, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://lectern@db/lectern",
              "REDIS_URL": "redis://cache:6379/0", "MAIL_SERVER": "smtp.example.org", "RATELIMIT_ENABLED": True}
HEALTHY = SystemFacts(database_reachable=True, schema_current=True, redis_reachable=True)


def errors(findings):
    return {f.setting for f in findings if f.level == ERROR}


def test_a_production_configuration_passes():
    assert check(PRODUCTION, {}, HEALTHY) == []


def test_weak_or_missing_secrets_fail():
    for secret in ("secret", "test-secret-key-not-for-production", "short-but-random-4f9", "a" * 40, "ab" * 30):
        assert weak_secret(secret), secret
        assert "SECRET_KEY" in errors(check({**PRODUCTION, "SECRET_KEY": secret}, {}, HEALTHY))
    assert weak_secret(STRONG) is None
    assert "SECRET_KEY" in errors(check({**PRODUCTION, "SECRET_KEY": STRONG}, {}, SystemFacts(secret_missing=True)))


def test_demo_accounts_fail_twice_over():
    found = check({**PRODUCTION, "LECTERN_DEMO": True}, {}, HEALTHY)
    assert "LECTERN_DEMO" in errors(found)
    found = check(PRODUCTION, {}, SystemFacts(demo_passwords_work=("admin@example.com",)))
    assert "demo accounts" in errors(found)


def test_plain_http_debug_and_switched_off_protections_fail():
    found = errors(check({**PRODUCTION, "LECTERN_BASE_URL": "http://training.example.org", "DEBUG": True,
                          "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False}, {}, HEALTHY))
    assert {"LECTERN_BASE_URL", "FLASK_DEBUG", "RATELIMIT_ENABLED", "WTF_CSRF_ENABLED"} <= found


def test_several_workers_need_redis():
    no_redis = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    assert "REDIS_URL" in errors(check(no_redis, {"WEB_CONCURRENCY": "3"}, HEALTHY))
    assert "REDIS_URL" not in errors(check(no_redis, {}, HEALTHY))             # one worker by default
    assert "REDIS_URL" in errors(check(PRODUCTION, {}, SystemFacts(redis_reachable=False)))


def test_system_facts_become_errors_and_sqlite_a_warning():
    found = check({**PRODUCTION, "SQLALCHEMY_DATABASE_URI": "sqlite:////srv/lectern.db"}, {},
                  SystemFacts(database_reachable=True, schema_current=False, content_problems=2))
    assert {"database schema", "content"} <= errors(found)
    assert any(f.setting == "DATABASE_URL" and f.level == WARNING for f in found)
    assert "DATABASE_URL" in errors(check(PRODUCTION, {}, SystemFacts(database_reachable=False)))


def test_a_queue_without_a_job_worker_is_a_warning():
    import dataclasses

    found = check(PRODUCTION, {}, dataclasses.replace(HEALTHY, job_workers=0))
    assert any(f.level == WARNING and f.setting == "JOBS_BACKEND" and "jobs worker" in f.message for f in found)
    assert not any(f.setting == "JOBS_BACKEND" for f in check(PRODUCTION, {}, dataclasses.replace(HEALTHY, job_workers=1)))
