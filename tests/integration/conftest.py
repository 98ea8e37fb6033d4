"""Fixtures shared by integration test modules (the general ones are in tests/conftest.py)."""
from tests.integration.live_room import room  # noqa: F401 - a fixture
