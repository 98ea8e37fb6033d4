import hmac

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from app.auth.models import Role
from app.health.services import database_state

bp = Blueprint("health", __name__)


def _may_see_details() -> bool:
    """Which database and schema revision answer is for operators: an administrator signed in, or a
    monitor sending `Authorization: Bearer <LECTERN_HEALTH_TOKEN>`. Everyone else learns up or down."""
    token = current_app.config.get("LECTERN_HEALTH_TOKEN") or ""
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    return bool(current_user.is_authenticated and current_user.has_role(Role.ADMIN))


@bp.get("/healthz")
def healthz():
    db_state = database_state()
    ok = bool(db_state["reachable"])
    body: dict[str, object] = {"status": "ok" if ok else "degraded"}
    if _may_see_details():
        body["database"] = db_state
    return jsonify(body), (200 if ok else 503)
