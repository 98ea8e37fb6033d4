from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class OpenBadge(Base):
    """A certificate's Open Badges 3.0 credential, signed once (when first asked for) and kept as
    signed, like the certificate's PDF: the same JWT every time, verifiable with the key that signed it."""

    __tablename__ = "open_badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id", ondelete="CASCADE"), unique=True)
    credential_id: Mapped[str] = mapped_column(sa.String(500), unique=True)
    subject_id: Mapped[str] = mapped_column(sa.String(60))       # urn:uuid:… (credentialSubject.id and sub)
    salt: Mapped[str] = mapped_column(sa.String(64))
    credential: Mapped[str] = mapped_column(sa.Text)             # the credential's JSON as signed
    jwt: Mapped[str] = mapped_column(sa.Text)                    # its compact JWS (VC-JWT)
    kid: Mapped[str] = mapped_column(sa.String(500))             # the key that signed it
    created_at: Mapped[datetime]
