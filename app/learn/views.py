from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("learn", __name__, template_folder="templates")


@bp.get("/")
@login_required
def home():
    return render_template("learn/home.html")
