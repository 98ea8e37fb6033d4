"""The issuer's signing key for VC-JWT credentials, and the public keys a verifier may need.

The key comes from the environment (LECTERN_OB_SIGNING_KEY: a PEM or a private JWK) or is generated
once (ES256: P-256) into the key folder, `current.pem`, readable by the owner only (0600). Rotation
(`flask --app wsgi badges rotate-key`) keeps the old key's public half as `retired-<thumbprint>.pub.pem`
and deletes its private half: credentials signed before stay verifiable, new ones use the new key.

Algorithms: ES256 by default; RS256 and EdDSA keys given in the environment work as well. ES256 and
RS256 are what 1EdTech's validator accepts (Open Badges 3.0 names RS256 as the minimum every verifier
supports; ES256 is accepted by its conformance validator); EdDSA is refused there, so it is not the default.
"""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey

Key = ECKey | RSAKey | OKPKey
CURRENT = "current.pem"


class KeyProblem(RuntimeError):
    """The configured signing key cannot be used (a one-line reason)."""


@dataclass(frozen=True)
class SigningKeys:
    current: Key
    published: tuple[Key, ...]      # public halves: the current key first, then retired ones

    @property
    def alg(self) -> str:
        return alg_of(self.current)

    def find(self, thumbprint: str) -> Key | None:
        return next((k for k in self.published if k.thumbprint() == thumbprint), None)


def alg_of(key: Key) -> str:
    if isinstance(key, ECKey):
        if key.curve_name != "P-256":
            raise KeyProblem(f"EC keys must be on P-256 for ES256, not {key.curve_name}")
        return "ES256"
    if isinstance(key, RSAKey):
        return "RS256"
    if key.curve_name != "Ed25519":
        raise KeyProblem(f"OKP keys must be Ed25519 for EdDSA, not {key.curve_name}")
    return "EdDSA"


def _import(text: str | bytes, *, private: bool) -> Key:
    raw = text.strip() if isinstance(text, str) else text.strip().decode("ascii", "replace")
    value: str | dict[str, Any] = raw
    if raw.startswith("{"):
        value = json.loads(raw)
    errors = []
    for kind in (ECKey, RSAKey, OKPKey):
        try:
            key: Key = kind.import_key(value)
        except (JoseError, ValueError, TypeError) as exc:
            errors.append(str(exc))
            continue
        if private and not key.is_private:
            raise KeyProblem("the signing key is a public key; give the private key")
        alg_of(key)
        return key
    raise KeyProblem("the signing key is neither an EC (P-256), RSA nor Ed25519 key in PEM or JWK form")


def _write_private(path: Path, data: bytes) -> None:
    """Write a new private key file, mode 0600 from the start; if another process wrote one first, keep theirs."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    try:
        os.link(temporary, path)       # fails if the file exists: two workers starting together agree on one key
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def load(folder: Path, environment_key: str = "") -> SigningKeys:
    """The signing key (from the environment, else the folder, else a new one saved there) and every
    public key to publish (the current one and the folder's retired ones)."""
    if environment_key:
        current = _import(environment_key, private=True)
    else:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / CURRENT
        if not path.exists():
            _write_private(path, ECKey.generate_key("P-256").as_pem(private=True))
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        current = _import(path.read_bytes(), private=True)
    retired = []
    if folder.is_dir():
        for item in sorted(folder.glob("retired-*.pub.pem")):
            with contextlib.suppress(KeyProblem):
                retired.append(_import(item.read_bytes(), private=False))
    public = _import(current.as_pem(private=False), private=False)
    return SigningKeys(current, (public, *[k for k in retired if k.thumbprint() != public.thumbprint()]))


def rotate(folder: Path) -> tuple[str, str]:
    """Retire the folder's current key (its public half stays published) and make a new one.
    Returns (old thumbprint, new thumbprint)."""
    path = folder / CURRENT
    old = _import(path.read_bytes(), private=True)
    (folder / f"retired-{old.thumbprint()}.pub.pem").write_bytes(old.as_pem(private=False))
    path.unlink()
    new = load(folder).current
    return old.thumbprint(), new.thumbprint()


def public_jwk(key: Key, kid: str) -> dict[str, Any]:
    """The public JWK a verifier fetches (never the private parts)."""
    data = dict(key.as_dict(private=False))
    return {**data, "kid": kid, "alg": alg_of(key), "use": "sig"}


def sign(claims: Mapping[str, Any], key: Key, kid: str) -> str:
    """The compact JWS of `claims`: header alg, kid (a URL serving the public JWK) and typ JWT."""
    return jwt.encode({"alg": alg_of(key), "kid": kid, "typ": "JWT"}, dict(claims), key, algorithms=[alg_of(key)])


class BadSignature(ValueError):
    """A compact JWS that is malformed, names a key we do not publish, or whose signature fails."""


def header_of(token: str) -> dict[str, Any]:
    try:
        return dict(jws.extract_compact(token.encode("ascii")).headers())
    except (JoseError, ValueError, UnicodeError) as exc:
        raise BadSignature(f"it is not a JSON Web Token ({exc})") from None


def verify(token: str, key: Key) -> dict[str, Any]:
    """The payload of `token` if `key` signed it with the key's own algorithm (BadSignature if not)."""
    try:
        decoded = jwt.decode(token, key, algorithms=[alg_of(key)])
    except (JoseError, ValueError, UnicodeError) as exc:
        raise BadSignature(f"the signature does not verify ({exc.__class__.__name__})") from None
    return dict(decoded.claims)
