"""The pure parts of Open Badges 3.0: the criteria narrative from the completion rule, the hashed
identity, the JWT claims, and baking (read back with Pillow, a PNG reader that is not ours)."""
import hashlib
import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PIL import Image

from app.badges import baking
from app.badges.artwork import badge_png
from app.badges.credential import (
    Achievement,
    Award,
    ClaimsMismatch,
    Issuer,
    build_credential,
    credential_from_claims,
    criteria_narrative,
    identity_hash,
    jwt_claims,
)
from app.progress.progress import CourseOutline

OUTLINE = CourseOutline(
    lessons=(("intro", 1, "Intro"), ("stage-1", 1, "Stage 1"), ("stage-2", 2, "Stage 2"), ("wrap", 2, "Wrap-up")),
    stage_lessons=((1, "stage-1"), (2, "stage-2")),
    lesson_quizzes=(("stage-1", "q1", "Stage 1 check"), ("stage-2", "q2", "Stage 2 check")),
    day_assessments=((1, "d1", "Day 1 assessment"), (2, "d2", "Day 2 assessment")),
    activities=(("plan", "Action plan"),), activity_pass=60)


def test_criteria_narrative_follows_the_completion_rule():
    text = criteria_narrative("Clusters", 14, OUTLINE, 240)
    assert text.startswith("Awarded for completing *Clusters*, a professional training course of 14 hours over 2 days.")
    assert "- Complete all 4 lessons of the course; a trainee in a live or blended cohort may instead attend each day's live sessions for at least 240 minutes." in text
    assert "- Pass the knowledge check of each of the 2 stages (2 checks)." in text
    assert "- Pass the Day 1 assessment and the Day 2 assessment." in text
    assert "- Have the assessed activity “Action plan” marked by an instructor at 60% or more." in text
    relaxed = replace(OUTLINE, rule_live_attendance=False, rule_stage_checks=False, rule_day_assessments=False, activities=())
    text = criteria_narrative("Clusters", 14, relaxed, 240)
    assert "live" not in text and "check" not in text and "assessment" not in text and "- Complete all 4 lessons" in text


def test_the_real_courses_narrative(app):
    from app.badges.services import achievement
    from app.content.catalog import catalog

    narrative = achievement(catalog()).narrative
    lessons = len(catalog().lessons)
    assert f"Complete all {lessons} lessons" in narrative and "each of the 12 stages" in narrative
    assert "Day 1" in narrative and "Day 2" in narrative


def test_identity_hash_is_sha256_of_the_lowercased_address_and_salt():
    expected = "sha256$" + hashlib.sha256(b"ana@example.com" + b"c0ffee").hexdigest()
    assert identity_hash(" Ana@Example.com ", "c0ffee") == expected


def _credential():
    issuer = Issuer("https://lectern.test/badges/issuer", "Lectern Training", "https://lectern.test/")
    achievement = Achievement("https://lectern.test/badges/achievements/CD-12", "Clusters", "A course.", "Do it.",
                              "https://lectern.test/badges/achievements/CD-12.png", "CD-12")
    award = Award("https://lectern.test/badges/credentials/X", "urn:uuid:1", "Ana Ruiz", "ana@example.com", "s4lt",
                  datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=UTC), "https://lectern.test/badges/revocations")
    return build_credential(award, achievement, issuer)


def test_jwt_claims_carry_the_credential_and_match_it():
    credential = _credential()
    assert credential["validFrom"] == "2026-03-04T05:06:07Z"
    claims = jwt_claims(credential)
    assert claims["iss"] == credential["issuer"]["id"] and claims["jti"] == credential["id"]
    assert claims["sub"] == "urn:uuid:1" and claims["nbf"] == int(datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC).timestamp())
    assert credential_from_claims(claims) == credential
    assert credential_from_claims({"vc": credential, **{k: claims[k] for k in ("iss", "jti", "sub", "nbf")}}) == credential
    for claim, wrong in (("iss", "https://evil.test/"), ("jti", "x"), ("sub", "urn:uuid:2"), ("nbf", 1)):
        with pytest.raises(ClaimsMismatch, match=claim):
            credential_from_claims({**claims, claim: wrong})


def test_baking_round_trip_read_by_pillow_and_replaces_an_earlier_credential():
    art = badge_png("CD-12", "Cluster Development: the Twelve-Stage Process", "Lectern Professional Training", 14, 2)
    assert baking.extract(art) is None
    once = baking.bake(art, "header.payload.signature")
    twice = baking.bake(once, "h2.p2.s2")
    assert baking.extract(once) == "header.payload.signature" and baking.extract(twice) == "h2.p2.s2"
    assert twice.count(baking.KEYWORD) == 1
    image = Image.open(io.BytesIO(twice))
    image.load()
    assert image.size == (600, 600) and image.text["openbadgecredential"] == "h2.p2.s2"
    with pytest.raises(baking.NotAPng):
        baking.extract(b"%PDF-1.7")
    with pytest.raises(baking.NotAPng):
        baking.extract(twice[:40])
