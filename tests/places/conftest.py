import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The world sets a dozen passwords per test; PBKDF2's real cost is for production, not here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
