from flask import Blueprint, jsonify

from app.health.services import database_state

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    db_state = database_state()
    ok = db_state["reachable"]
    return jsonify(status="ok" if ok else "degraded", database=db_state), (200 if ok else 503)
