import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in tests


@pytest.fixture
def world(db):
    from tests.world import build_world

    return build_world()
