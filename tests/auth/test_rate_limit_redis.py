"""With REDIS_URL, sign-in limits are shared: two workers (two app instances) count together."""
import uuid

import pytest
import redis

pytestmark = pytest.mark.redis


def test_two_workers_share_the_sign_in_limit(database_uri, make_user, password, redis_url):
    from app import create_app

    prefix = f"lectern-test-{uuid.uuid4().hex}"
    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": prefix,
                "LOGIN_ADDRESS_LIMIT": "6 per minute", "LOGIN_ACCOUNT_ADDRESS_LIMIT": "100 per hour"}
    worker_a, worker_b = create_app(settings), create_app(settings)
    user = make_user()
    statuses = []
    for i in range(8):
        worker = worker_a if i % 2 == 0 else worker_b
        statuses.append(worker.test_client().post("/login", data={"email": user.email, "password": f"no-{i}"}).status_code)
    assert statuses[:6] == [422] * 6 and statuses[6:] == [429, 429]
    client = redis.Redis.from_url(redis_url)
    keys = client.keys(f"*{prefix}*")
    assert keys, "the limiter did not store its counters in Redis"
    ok = worker_b.test_client().post("/login", data={"email": user.email, "password": password})
    assert ok.status_code == 429  # the address is still over its limit, whichever worker answers
    client.delete(*client.keys(f"*{prefix}*"))
    from app.extensions import db

    for worker in (worker_a, worker_b):
        with worker.app_context():
            db.engine.dispose()
