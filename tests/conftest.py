"""The root conftest only registers the plugins: fixtures and factories live in tests/plugins/."""
pytest_plugins = [
    "tests.plugins.flask_app",
    "tests.plugins.factories",
    "tests.plugins.browser",
    "tests.plugins.servers",
    "tests.plugins.live",
]
