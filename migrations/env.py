"""Alembic environment, run through Flask-Migrate (`flask --app wsgi db upgrade`)."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not current_app.testing:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
# Flask-Migrate 4.1's template calls the deprecated db.get_engine(); use the engine directly.
engine = migrate_ext.db.engine
target_metadata = migrate_ext.db.metadata


def run_migrations_offline() -> None:
    context.configure(url=engine.url.render_as_string(hide_password=False), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(migrate_ext.configure_args)
    conf_args.setdefault("process_revision_directives", skip_empty)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
