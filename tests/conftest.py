import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in tests


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The world sets a dozen passwords per test; PBKDF2's real cost is for production, not here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from tests.world import build_world

    return build_world()
