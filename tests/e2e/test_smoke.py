import pytest

pytestmark = pytest.mark.browser


def test_api_docs_render_in_chromium(phone):
    phone.goto("/api/docs")
    phone.wait_for_selector("text=wuyi API")
    assert "/api/openapi.json" in phone.content()
