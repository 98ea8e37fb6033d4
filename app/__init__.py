"""Lectern: course delivery and self-study. create_app() builds the WSGI application."""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as config_module


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Config → extensions → catalog → errors → blueprints → CLI. No database I/O here."""
    app = Flask(__name__, instance_relative_config=False)
    _configure(app, config)
    _configure_logging(app)
    _configure_extensions(app)
    _configure_catalog(app)
    _configure_errors(app)
    _configure_blueprints(app)
    _configure_cli(app)
    return app


def _configure(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    testing = bool(overrides and overrides.get("TESTING"))
    base = config_module.TestConfig if testing else config_module.BaseConfig
    app.config.from_object(base)
    app.config.update(config_module.from_environment(os.environ, app.instance_path))
    if overrides:
        app.config.update(overrides)
    config_module.finalise(app.config)  # raises ConfigError with a one-line explanation
    from app.auth.passwords import configure_gate

    configure_gate(int(app.config["PASSWORD_HASH_CONCURRENCY"]), float(app.config["PASSWORD_HASH_WAIT"]))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///") and not testing:
        os.makedirs(app.instance_path, exist_ok=True)
    if app.config["LECTERN_TRUSTED_PROXIES"]:
        hops = app.config["LECTERN_TRUSTED_PROXIES"]
        # X-Forwarded-Host is not trusted: the proxy passes Host itself, and absolute addresses come from
        # LECTERN_BASE_URL (app/web.py public_url), never from the request
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _configure_logging(app: Flask) -> None:
    from app import accesslog

    accesslog.install()  # reset and invitation tokens never reach an access log
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        app.logger.setLevel(logging.INFO)
        for noisy in ("alembic", "weasyprint", "fontTools"):  # set-up and per-step chatter
            logging.getLogger(noisy).setLevel(logging.WARNING)


def _configure_extensions(app: Flask) -> None:
    from app import schema  # noqa: F401 - registers every model with the metadata
    from app.auth.services import load_session_user
    from app.db import configure_engine
    from app.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)  # installs event listeners; opens no connection
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = None  # no address fingerprint: the session epoch ends stolen copies (ARCHITECTURE.md)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)

    from app.auth.csrf_rotation import install as install_csrf_rotation
    from app.auth.resume import install as install_form_recovery
    from app.live.broker import install_broker
    from app.web import install_web_hooks

    install_broker(app)
    install_web_hooks(app)
    install_form_recovery(app)
    install_csrf_rotation(app)


def _configure_catalog(app: Flask) -> None:
    from app.content.catalog import install_catalog
    from app.workbook.background import install as install_workbook

    install_catalog(app)
    install_workbook(app)  # rebuild the workbook when the content changes (nothing runs now)


def _configure_errors(app: Flask) -> None:
    from app.error_pages import register_error_handlers

    register_error_handlers(app)


def _configure_blueprints(app: Flask) -> None:
    from app.activities.views import bp as activities_bp
    from app.admin.views import bp as admin_bp
    from app.auth.views import bp as auth_bp
    from app.badges.views import bp as badges_bp
    from app.certificates.views import bp as certificates_bp
    from app.checklist.views import bp as checklist_bp
    from app.health.views import bp as health_bp
    from app.learn.views import bp as learn_bp
    from app.live.views import bp as live_bp
    from app.outbox.views import bp as outbox_bp
    from app.progress.views import bp as progress_bp
    from app.quizzes.views import bp as quizzes_bp
    from app.schedule.views import bp as schedule_bp
    from app.scorm.views import bp as scorm_bp
    from app.slides.views import bp as slides_bp
    from app.teach.views import bp as teach_bp
    from app.workbook.views import bp as workbook_bp

    for bp in (auth_bp, learn_bp, quizzes_bp, progress_bp, teach_bp, admin_bp, certificates_bp, checklist_bp,
               workbook_bp, live_bp, health_bp, activities_bp, slides_bp, scorm_bp, badges_bp, outbox_bp, schedule_bp):
        app.register_blueprint(bp)


def _configure_cli(app: Flask) -> None:
    from app.auth.cli import users_cli
    from app.badges.cli import badges_cli
    from app.certificates.cli import certificates_cli
    from app.content.cli import content_cli
    from app.demo.cli import demo_cli
    from app.imports.cli import import_command
    from app.jobs.worker import jobs_cli
    from app.live.cli import live_cli
    from app.ops.cli import backup_command, config_cli
    from app.outbox.cli import mail_cli
    from app.quizzes.cli import quizzes_cli
    from app.reminders.cli import cron_command, tick_command
    from app.scorm.cli import export_cli
    from app.slides.cli import slides_cli
    from app.xapi.cli import xapi_cli

    users_cli.add_command(import_command)  # `users import` belongs to the imports feature
    mail_cli.add_command(tick_command)     # `mail tick` and `mail cron` belong to the reminders feature
    mail_cli.add_command(cron_command)
    for group in (users_cli, content_cli, quizzes_cli, certificates_cli, demo_cli, config_cli, backup_command, jobs_cli,
                  slides_cli, live_cli, mail_cli, export_cli, badges_cli):
        app.cli.add_command(group)
    app.cli.add_command(xapi_cli)
