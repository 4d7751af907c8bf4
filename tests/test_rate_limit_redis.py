"""Rate limits kept in a real Redis, shared by every worker process."""

from __future__ import annotations

import uuid

import pytest
import redis

from cube import create_app
from tests.support import post

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_app(database_url, smtp):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (start it: see README)")
    app = create_app(
        {
            "CUBE_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": f"cube-test-{uuid.uuid4().hex}",
            "LOGIN_RATE_LIMIT": "2 per minute",
        }
    )
    yield app
    # The limiter is one object per process; point it back at memory storage.
    create_app({"CUBE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})


def test_login_limit_is_counted_in_redis(redis_app):
    first, second = redis_app.test_client(), redis_app.test_client()
    codes = [post(first, "/auth/login", {"email": "a@example.com", "password": "x"}).status_code for _ in range(2)]
    # A different client from the same address shares the count (it lives in Redis).
    limited = post(second, "/auth/login", {"email": "a@example.com", "password": "x"})
    assert codes == [200, 200]
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{redis_app.config['RATELIMIT_KEY_PREFIX']}*")
    assert keys, "no rate-limit keys in Redis"
