"""Logging in on a phone: the lockout and its message in Chinese; a resident signs up."""

import pytest

from tests.e2e.conftest import login
from tests.world import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def quick(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_MAX_FAILURES = 3


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_repeated_failures_lock_the_name_with_a_chinese_message(phone, world):
    for _ in range(2):
        login(phone, "community0", "wrong-password")
        assert "用户名或密码错误" in phone.inner_text("#login-error")
    login(phone, "community0", "wrong-password")
    assert "登录失败次数过多" in phone.inner_text("#login-error")
    assert fits_the_screen(phone)
    login(phone, "community0", PASSWORD)  # right password, still locked
    assert "登录失败次数过多" in phone.inner_text("#login-error")
    assert phone.url.endswith("/accounts/login/")


def test_a_worker_logs_in_and_out(phone, world):
    login(phone, "street0")
    assert "/places/a/440304001/" in phone.url
    phone.click("text=退出")
    phone.wait_for_url("**/accounts/login/")
    assert phone.is_visible("input[name=username]")


def test_a_resident_signs_up_on_a_phone_and_goes_on_to_declare(phone, world):
    phone.goto("/accounts/login/")
    phone.click("text=用手机号码注册")
    phone.fill("input[name=phone]", "13912345678")
    phone.fill("input[name=password1]", PASSWORD)
    phone.fill("input[name=password2]", PASSWORD)
    assert fits_the_screen(phone)
    phone.click("main button[type=submit]")
    phone.wait_for_url("**/people/declare/")
    assert "13912345678" in phone.inner_text("header")
