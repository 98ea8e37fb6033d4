import pytest

from app import create_app
from app.config import ConfigError, from_environment, normalise_database_url


def test_refuses_to_start_without_secret_key_outside_debug_and_tests(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError) as info:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    message = str(info.value)
    assert "SECRET_KEY" in message and "\n" not in message


def test_wsgi_import_fails_with_the_one_line_message(monkeypatch, tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], capture_output=True, text=True, env=env,
                            cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("given,expected", [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_urls_use_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_default_database_is_sqlite_in_instance_folder():
    settings = from_environment({}, "/srv/lectern/instance")
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:////srv/lectern/instance/lectern.db"


def test_https_base_url_makes_cookies_secure(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
                      "LECTERN_BASE_URL": "https://training.example.org"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_redis_url_moves_rate_limits_to_redis():
    settings = from_environment({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "/x")
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_redis_prefix_names_everything_this_install_keeps_in_a_shared_redis():
    settings = from_environment({"REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_PREFIX": "school-b"}, "/x")
    assert settings["RATELIMIT_KEY_PREFIX"] == settings["JOBS_QUEUE"] == settings["REDIS_PREFIX"] == "school-b"
    assert from_environment({"REDIS_PREFIX": "b", "JOBS_QUEUE": "q"}, "/x")["JOBS_QUEUE"] == "q"
    with pytest.raises(ConfigError, match="REDIS_PREFIX"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "REDIS_PREFIX": "a*b"})


def test_create_app_touches_no_database(tmp_path):
    db_file = tmp_path / "never.db"
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}"})
    assert not db_file.exists()


@pytest.mark.parametrize("settings, message", [
    ({"JOBS_BACKEND": "celery"}, "JOBS_BACKEND must be thread or rq"),
    ({"JOBS_BACKEND": "rq"}, "JOBS_BACKEND=rq needs REDIS_URL"),
])
def test_a_jobs_backend_that_cannot_work_is_refused(settings, message):
    with pytest.raises(ConfigError) as info:
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", **settings})
    assert message in str(info.value)


def test_finding_2_password_limits_and_hash_concurrency_are_settings(monkeypatch):
    from app.config import LIMIT_SETTINGS

    assert {"PASSWORD_CHANGE_ACCOUNT_LIMIT", "PASSWORD_CHANGE_ADDRESS_LIMIT"} <= set(LIMIT_SETTINGS)
    settings = from_environment({"PASSWORD_CHANGE_ACCOUNT_LIMIT": "3 per hour", "PASSWORD_HASH_CONCURRENCY": "3",
                                 "PASSWORD_HASH_WAIT": "0.5"}, "/tmp")
    assert settings["PASSWORD_CHANGE_ACCOUNT_LIMIT"] == "3 per hour"
    assert settings["PASSWORD_HASH_CONCURRENCY"] == 3 and settings["PASSWORD_HASH_WAIT"] == 0.5
    with pytest.raises(ConfigError, match="PASSWORD_HASH_CONCURRENCY"):
        from_environment({"PASSWORD_HASH_CONCURRENCY": "four"}, "/tmp")
    with pytest.raises(ConfigError, match="PASSWORD_HASH_CONCURRENCY"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "PASSWORD_HASH_CONCURRENCY": 0})
    with pytest.raises(ConfigError, match="PASSWORD_CHANGE_ADDRESS_LIMIT"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "PASSWORD_CHANGE_ADDRESS_LIMIT": "lots"})
