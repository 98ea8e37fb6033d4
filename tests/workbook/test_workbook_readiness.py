"""When a workbook request is served, waits or starts a build, and the progress estimate (pure)."""
import pytest

from app.workbook.readiness import DEFAULT_SECONDS, RETRY_FAILED_AFTER, cache_name, estimate, next_step


@pytest.mark.parametrize("ready, building, failed_at, expected", [
    (True, True, None, "serve"),
    (True, False, 999.0, "serve"),
    (False, True, None, "wait"),
    (False, True, 999.0, "wait"),                        # a new attempt is under way
    (False, False, None, "start"),
    (False, False, 1000.0 - 10, "failed"),
    (False, False, 1000.0 - RETRY_FAILED_AFTER, "start"),
])
def test_next_step(ready, building, failed_at, expected):
    assert next_step(ready=ready, building=building, failed_at=failed_at, now=1000.0) == expected


def test_estimate_counts_down_and_never_claims_done():
    assert estimate(100.0, 100.0, 20.0).percent == 0 and estimate(100.0, 100.0, 20.0).seconds_left == 20
    half = estimate(100.0, 110.0, 20.0)
    assert (half.percent, half.seconds_left, half.message) == (50, 10, "About 10 seconds left")
    assert estimate(100.0, 119.4, 20.0).message == "About 1 second left"
    late = estimate(100.0, 200.0, 20.0)
    assert (late.percent, late.seconds_left, late.message) == (95, 1, "Almost ready…")


def test_estimate_without_a_start_or_a_history():
    assert estimate(None, 500.0, None).seconds_left == round(DEFAULT_SECONDS)
    assert estimate(None, 500.0, 0).percent == 0
    assert estimate(510.0, 500.0, 10.0).seconds_left == 10   # a clock a little behind: not negative


def test_cache_name_per_edition_and_content():
    assert cache_name("trainee", "ab" * 32) == "workbook-trainee-abababababababab.pdf"
    assert cache_name("instructor", "ab" * 32) != cache_name("trainee", "ab" * 32) != cache_name("trainee", "cd" * 32)
