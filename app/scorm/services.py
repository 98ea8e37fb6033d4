"""The SCORM package of the course as it is loaded now (app/scorm/package.py builds it)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from app.audit import services as audit
from app.content.catalog import Catalog, catalog
from app.db import write_transaction
from app.extensions import db
from app.scorm import package


@dataclass(frozen=True)
class Export:
    filename: str
    data: bytes
    sha256: str


def filename(cat: Catalog) -> str:
    return f"{package.ident(cat.course.code).lower()}-scorm12.zip"


def build(cat: Catalog | None = None) -> Export:
    """The package's bytes (the same content always gives the same bytes)."""
    cat = cat or catalog()
    data = package.build(cat)
    return Export(filename(cat), data, hashlib.sha256(data).hexdigest())


def download(actor_id: int, *, now: datetime) -> Export:
    """An administrator's download, recorded in the audit log."""
    cat = catalog()
    export = build(cat)
    with write_transaction(db.session):
        audit.record(actor_id, "scorm.export", "course", cat.course.code, export.filename, now=now,
                     bytes=len(export.data), sha256=export.sha256, content=cat.content_hash[:12])
    return export
