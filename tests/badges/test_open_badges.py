"""Open Badges 3.0 end to end: the holder's credential validated against 1EdTech's own JSON Schema and
context (tests/fixtures/openbadges-3, copied unchanged), its VC-JWT signature verified with PyJWT (a
second JOSE library: the app signs with joserfc) against the key the JWKS publishes, the baked PNG read
back, and revocation, reissue, access and tampering as the verification page shows them."""
import base64
import io
import json
import stat
from pathlib import Path

import jsonschema
import jwt as pyjwt
import pytest
from PIL import Image

from app.badges import services as badges
from app.certificates import services as certificates
from app.content.catalog import catalog
from app.db import utcnow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openbadges-3"
SCHEMA = json.loads((FIXTURES / "achievementcredential.schema.json").read_text())
PROFILE_SCHEMA = json.loads((FIXTURES / "profile.schema.json").read_text())
OB_CONTEXT = json.loads((FIXTURES / "context-3.0.3.json").read_text())["@context"]
# Terms the W3C VC 2.0 context defines (it is not vendored; these are the ones a credential here uses)
VC_TERMS = {"@context", "id", "type", "issuer", "validFrom", "name", "description", "credentialSubject",
            "credentialStatus", "credentialSchema", "image"}
VC_TYPES = {"VerifiableCredential"}
EXTENSION_TYPES = {"1EdTechRevocationList", "1EdTechJsonSchemaValidator2019"}   # 1EdTech's extensions.json


@pytest.fixture
def app_config(database_uri, tmp_path):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "LECTERN_OB_KEY_DIR": str(tmp_path / "keys")}


def _validate(credential):
    validator = jsonschema.Draft201909Validator(SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(credential), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)


def _types(value):
    return value if isinstance(value, list) else [value]


def _check_terms(node, scope):
    """Every property of every typed object is a term of the OB 3.0 context (its type's scoped context
    or the top level) or of VC 2.0; every type is defined by one of the contexts the credential names."""
    if isinstance(node, list):
        for item in node:
            _check_terms(item, scope)
        return
    if not isinstance(node, dict):
        return
    here = dict(scope)
    for type_name in _types(node.get("type", [])):
        assert type_name in OB_CONTEXT or type_name in VC_TYPES or type_name in EXTENSION_TYPES, type_name
        if isinstance(OB_CONTEXT.get(type_name), dict):
            here.update(OB_CONTEXT[type_name].get("@context", {}))
    for key, value in node.items():
        assert key in here or key in OB_CONTEXT or key in VC_TERMS, f"{key} is not defined by the contexts"
        _check_terms(value, here)


def _issue(make_user, **holder):
    admin = make_user(roles=("admin",))
    person = make_user(display_name="Ana Ruiz", email="Ana.Ruiz@example.com", **holder)
    certificate = certificates.issue(admin.id, person.id, catalog(), now=utcnow(), override_reason="Badge test")
    return admin, person, certificate


def _pyjwt_verify(client, token):
    """Verify with PyJWT and the key found through the token's kid in the published JWKS."""
    header = pyjwt.get_unverified_header(token)
    jwks = client.get("/.well-known/jwks.json").get_json()
    entry = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    key = pyjwt.PyJWK.from_dict(entry)
    return pyjwt.decode(token, key=key, algorithms=["ES256"], options={"verify_aud": False})


def _check_file(client, data, name):
    return client.post("/verify/badge", data={"badge": (io.BytesIO(data), name)},
                       content_type="multipart/form-data").get_data(as_text=True)


def test_holder_downloads_a_valid_signed_credential(app, client, make_user, login, tmp_path):
    _admin, person, certificate = _issue(make_user)
    holder = login(app, person)
    code = certificate.display_code
    page = holder.get("/progress").get_data(as_text=True)
    assert f"/badges/credentials/{code}.png" in page and f"/badges/credentials/{code}.jwt" in page

    credential = holder.get(f"/badges/credentials/{code}.json").get_json()
    _validate(credential)
    _check_terms(credential, {})
    assert credential["@context"][:2] == ["https://www.w3.org/ns/credentials/v2",
                                          "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"http://localhost/badges/credentials/{code}"
    assert credential["issuer"] == {"id": "http://localhost/badges/issuer", "type": ["Profile"],
                                    "name": "Lectern Professional Training", "url": "http://localhost/"}
    subject = credential["credentialSubject"]
    email_id = subject["identifier"][0]
    assert email_id["identityType"] == "emailAddress" and email_id["hashed"] is True
    assert email_id["identityHash"] == "sha256$" + __import__("hashlib").sha256(
        ("ana.ruiz@example.com" + email_id["salt"]).encode()).hexdigest()
    assert subject["identifier"][1] == {"type": "IdentityObject", "identityType": "name", "hashed": False,
                                        "identityHash": "Ana Ruiz"}
    achievement = subject["achievement"]
    assert achievement["name"] == catalog().course.title and "each of the 12 stages" in achievement["criteria"]["narrative"]
    assert achievement["image"] == {"id": "http://localhost/badges/achievements/CD-12.png", "type": "Image",
                                    "caption": f"{catalog().course.title} badge"}
    assert credential["credentialStatus"] == {"id": "http://localhost/badges/revocations", "type": "1EdTechRevocationList"}
    assert credential["validFrom"] == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    token = holder.get(f"/badges/credentials/{code}.jwt").get_data(as_text=True)
    header = pyjwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["typ"] == "JWT" and header["kid"].startswith("http://localhost/badges/keys/")
    claims = _pyjwt_verify(client, token)
    assert claims["iss"] == credential["issuer"]["id"] and claims["jti"] == credential["id"]
    assert claims["sub"] == subject["id"] and subject["id"].startswith("urn:uuid:")
    assert claims["nbf"] == int(certificate.issued_at.replace(microsecond=0).timestamp())
    inside = {k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf", "sub")}
    assert inside == credential
    _validate(inside)

    # the kid dereferences to the public JWK (no private part), the same one the JWKS lists
    kid_path = header["kid"].removeprefix("http://localhost")
    jwk = client.get(kid_path).get_json()
    assert "d" not in jwk and jwk["kty"] == "EC" and jwk["crv"] == "P-256" and jwk["kid"] == header["kid"]
    assert client.get("/.well-known/jwks.json").get_json()["keys"] == [jwk]
    key_file = tmp_path / "keys" / "current.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    # the baked PNG: an image with the compact JWS in its openbadgecredential iTXt chunk
    png = holder.get(f"/badges/credentials/{code}.png").data
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and image.size == (600, 600)
    assert image.text["openbadgecredential"] == token
    _pyjwt_verify(client, image.text["openbadgecredential"])

    # the same credential every time; the public documents
    assert holder.get(f"/badges/credentials/{code}.jwt").get_data(as_text=True) == token
    profile = client.get("/badges/issuer")
    assert profile.headers["Access-Control-Allow-Origin"] == "*"
    jsonschema.Draft201909Validator(PROFILE_SCHEMA).validate(profile.get_json())
    assert client.get("/badges/achievements/CD-12").get_json()["criteria"] == achievement["criteria"]
    assert client.get("/badges/achievements/CD-12.png").data.startswith(b"\x89PNG")
    assert client.get("/badges/revocations").get_json() == {
        "id": "http://localhost/badges/revocations", "issuer": "http://localhost/badges/issuer", "revokedCredentials": []}
    assert client.get(f"/badges/credentials/{code}").headers["Location"].endswith(f"/verify/{code}")

    # the verification page accepts all three forms
    for data, name in ((png, "badge.png"), (token.encode(), "badge.jwt"), (json.dumps(credential).encode(), "badge.json")):
        page = _check_file(client, data, name)
        assert "Authentic and valid" in page and "Ana Ruiz" in page and catalog().course.title in page, name
    page = client.post("/verify/badge", data={"credential": token}).get_data(as_text=True)
    assert "Authentic and valid" in page


def test_revoked_certificate_shows_revoked_in_the_list_and_on_the_page(app, client, make_user, login):
    admin, person, certificate = _issue(make_user)
    holder = login(app, person)
    token = holder.get(f"/badges/credentials/{certificate.display_code}.jwt").get_data(as_text=True)
    credential_id = _pyjwt_verify(client, token)["jti"]
    certificates.revoke(admin.id, certificate.code, "Issued in error", now=utcnow())
    listed = client.get("/badges/revocations").get_json()["revokedCredentials"]
    assert listed == [{"id": credential_id, "revoked": True, "revocationReason": "Revoked by the issuer"}]
    page = _check_file(client, token.encode(), "badge.jwt")
    assert "Revoked: no longer valid" in page and "Authentic" not in page and "verify-file--valid" not in page
    # the holder keeps the credential they had; the progress page no longer offers one
    assert holder.get(f"/badges/credentials/{certificate.display_code}.jwt").get_data(as_text=True) == token
    assert f"/badges/credentials/{certificate.display_code}.png" not in holder.get("/progress").get_data(as_text=True)


def test_reissue_gives_a_new_credential_and_supersedes_the_old(app, client, make_user, login):
    admin, person, old = _issue(make_user)
    holder = login(app, person)
    old_token = holder.get(f"/badges/credentials/{old.display_code}.jwt").get_data(as_text=True)
    new = certificates.reissue(admin.id, old.code, catalog(), now=utcnow())
    new_token = holder.get(f"/badges/credentials/{new.display_code}.jwt").get_data(as_text=True)
    old_claims, new_claims = _pyjwt_verify(client, old_token), _pyjwt_verify(client, new_token)
    assert old_claims["jti"] != new_claims["jti"] and new_claims["jti"].endswith(new.display_code)
    listed = client.get("/badges/revocations").get_json()["revokedCredentials"]
    assert listed == [{"id": old_claims["jti"], "revoked": True, "revocationReason": "Superseded by a reissued credential"}]
    page = _check_file(client, old_token.encode(), "old.jwt")
    assert "Superseded" in page and new.display_code in page and "verify-file--valid" not in page
    assert "Authentic and valid" in _check_file(client, new_token.encode(), "new.jwt")


def test_only_the_holder_and_admins_download_it(app, client, make_user, login):
    admin, _person, certificate = _issue(make_user)
    stranger = login(app, make_user())
    for kind in ("json", "jwt", "png"):
        path = f"/badges/credentials/{certificate.display_code}.{kind}"
        assert stranger.get(path).status_code == 404
        assert client.get(path).status_code == 302          # signed out: to the sign-in page
        assert login(app, admin).get(path).status_code == 200
    assert stranger.get("/badges/credentials/AAAA-AAAA-AAAA-AAAA-A.json").status_code == 404


def test_tampered_credentials_are_refused(app, client, make_user, login):
    _admin, person, certificate = _issue(make_user)
    holder = login(app, person)
    token = holder.get(f"/badges/credentials/{certificate.display_code}.jwt").get_data(as_text=True)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["identifier"][1]["identityHash"] = "Mallory"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    tampered = f"{header}.{forged}.{signature}"
    with pytest.raises(pyjwt.InvalidSignatureError):
        _pyjwt_verify(client, tampered)
    page = _check_file(client, tampered.encode(), "forged.jwt")
    assert "Not a credential we issued" in page and "does not verify" in page and "Mallory" not in page
    credential = holder.get(f"/badges/credentials/{certificate.display_code}.json").get_json()
    credential["name"] = "Something grander"
    page = _check_file(client, json.dumps(credential).encode(), "forged.json")
    assert "Not a credential we issued" in page and "altered" in page
    png = holder.get(f"/badges/credentials/{certificate.display_code}.png").data
    from app.badges import baking

    page = _check_file(client, baking.bake(png, tampered), "forged.png")
    assert "Not a credential we issued" in page and "baked badge image" in page
    page = _check_file(client, client.get("/badges/achievements/CD-12.png").data, "plain.png")
    assert "carries no Open Badge" in page
    assert "Not a credential we issued" in _check_file(client, b"hello", "x.txt")
    response = client.post("/verify/badge", data={})
    assert response.status_code == 422 and "Choose a badge file" in response.get_data(as_text=True)


def test_rotating_the_key_keeps_old_credentials_verifiable(app, make_user, runner, tmp_path):
    _admin, _person, certificate = _issue(make_user)
    first = badges.badge_for(certificate, now=utcnow())
    result = runner.invoke(args=["badges", "rotate-key"])
    assert result.exit_code == 0, result.output
    app.extensions.pop(badges.KEYS)                     # as a restarted server would
    jwks = badges.jwks()["keys"]
    assert len(jwks) == 2 and jwks[1]["kid"] == first.kid and jwks[0]["kid"] != first.kid
    assert not list((tmp_path / "keys").glob("retired-*")) or all(
        b"PRIVATE" not in p.read_bytes() for p in (tmp_path / "keys").glob("retired-*"))
    verdict = badges.check(first.jwt.encode())
    assert verdict.status == "valid", verdict.problem   # signed by the retired key, still verifies


def test_a_signing_key_given_in_the_environment(tmp_path):
    """LECTERN_OB_SIGNING_KEY as a PEM (RSA here: RS256) or a private JWK; a public key is refused."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from app.badges import keys

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    loaded = keys.load(tmp_path / "unused", pem)
    assert loaded.alg == "RS256" and not (tmp_path / "unused").exists()
    token = keys.sign({"iss": "https://x.test/"}, loaded.current, "https://x.test/badges/keys/1")
    assert pyjwt.get_unverified_header(token)["alg"] == "RS256"
    assert pyjwt.decode(token, key=private.public_key(), algorithms=["RS256"]) == {"iss": "https://x.test/"}
    jwk = keys.public_jwk(loaded.published[0], "https://x.test/badges/keys/1")
    assert "d" not in jwk and "p" not in jwk and jwk["kty"] == "RSA"

    private_jwk = json.dumps(dict(keys.load(tmp_path / "generated").current.as_dict(private=True)))
    from_jwk = keys.load(tmp_path / "other", private_jwk)
    assert from_jwk.alg == "ES256" and from_jwk.current.thumbprint() == keys.load(tmp_path / "generated").current.thumbprint()
    public_pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    with pytest.raises(keys.KeyProblem, match="public key"):
        keys.load(tmp_path / "other", public_pem)
    with pytest.raises(keys.KeyProblem):
        keys.load(tmp_path / "other", "not a key")
