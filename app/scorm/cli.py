"""`flask --app wsgi export scorm FILE.zip`: the course as a SCORM 1.2 package."""
from __future__ import annotations

import time
from pathlib import Path

import click

from app.scorm import services


@click.group("export", help="Export the course for other systems.")
def export_cli() -> None:
    pass


@export_cli.command("scorm")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def scorm_command(path: Path) -> None:
    """Write the course as a SCORM 1.2 package (a zip to import into an LMS)."""
    started = time.perf_counter()
    export = services.build()
    path.write_bytes(export.data)
    click.echo(f"Wrote {path} ({len(export.data):,} bytes, sha256 {export.sha256[:16]}…) "
               f"in {time.perf_counter() - started:.2f} s")
