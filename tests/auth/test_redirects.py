import pytest

from app.auth.redirects import safe_next


@pytest.mark.parametrize("target", ["/", "/lessons/day-1/stage-01?x=1#top", "/admin/users"])
def test_local_paths_are_kept(target):
    assert safe_next(target, "/home") == target


@pytest.mark.parametrize("target", [
    None, "", "https://evil.example/", "//evil.example/path", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "http:/evil.example", "relative/path", "/ok\r\nSet-Cookie: x=1", "/" + "a" * 2100,
])
def test_everything_else_falls_back(target):
    assert safe_next(target, "/home") == "/home"
