"""Login with a lockout after repeated failures, for existing and unknown names alike; logout by POST."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.world import PASSWORD
from wuyi.accounts import services
from wuyi.accounts.models import LoginFailure

LOGIN = "/accounts/login/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def three_failures_lock_for_ten_minutes(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_MINUTES = 10


def attempt(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_page_is_for_phones(client, db):
    page = client.get(LOGIN).content.decode()
    assert 'name="viewport"' in page and 'name="username"' in page and 'type="password"' in page


def test_right_password_logs_in_and_lands_by_role(client, world):
    response = attempt(client, "community0", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    assert logged_in(client)
    assert not LoginFailure.objects.exists()


def test_next_is_followed_only_within_the_site(client, world):
    ok = client.post(LOGIN, {"username": "community0", "password": PASSWORD, "next": "/places/"})
    assert ok.url == "/places/"
    client.logout()
    evil = client.post(LOGIN, {"username": "community0", "password": PASSWORD, "next": "https://evil.example/"})
    assert evil.url == reverse("home")


def test_wrong_password_is_refused_and_logged(client, world):
    response = attempt(client, "community0", "nope", **EN)
    assert response.status_code == 200 and not logged_in(client)
    assert "Wrong user name or password." in response.content.decode()
    assert LoginFailure.objects.filter(username="community0").count() == 1


def test_the_last_allowed_failure_locks_the_name_and_says_so(client, world):
    attempt(client, "community0", "nope")
    attempt(client, "community0", "nope")
    response = attempt(client, "community0", "nope", **EN)
    page = response.content.decode()
    assert "Too many failed logins for this name" in page and "about 10 min" in page


def test_a_locked_name_is_refused_even_with_the_right_password(client, world):
    for _ in range(3):
        attempt(client, "community0", "nope")
    response = attempt(client, "community0", PASSWORD)
    assert not logged_in(client)
    assert "登录失败次数过多" in response.content.decode()  # Chinese by default
    assert LoginFailure.objects.filter(username="community0").count() == 3  # refused unchecked, not logged


def test_fewer_failures_than_the_limit_do_not_lock(client, world):
    attempt(client, "community0", "nope")
    attempt(client, "community0", "nope")
    attempt(client, "community0", PASSWORD)
    assert logged_in(client)
    assert LoginFailure.objects.filter(username="community0").count() == 2  # a success clears nothing


def test_the_lock_ends_with_the_window(client, world):
    for _ in range(3):
        attempt(client, "community0", "nope")
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=10, seconds=1))
    attempt(client, "community0", PASSWORD)
    assert logged_in(client)


def test_failures_spread_wider_than_the_window_do_not_lock(world):
    now = timezone.now()
    for minutes_ago in (25, 12, 1):
        f = LoginFailure.objects.create(username="community0")
        LoginFailure.objects.filter(pk=f.pk).update(at=now - dt.timedelta(minutes=minutes_ago))
    assert services.locked_until("community0", now) is None


def test_a_lock_on_one_name_leaves_others_alone(client, world):
    for _ in range(3):
        attempt(client, "community0", "nope")
    attempt(client, "street0", PASSWORD)
    assert logged_in(client)


def test_unknown_names_are_logged_and_locked_the_same_way(client, world):
    def pages(username):
        client.cookies.clear()
        return [attempt(client, username, "nope", **EN).content.decode() for _ in range(4)]

    known = [p.replace("community1", "NAME") for p in pages("community1")]
    unknown = [p.replace("no-such-person", "NAME") for p in pages("no-such-person")]
    assert LoginFailure.objects.filter(username="no-such-person").count() == 3
    assert "Wrong user name or password." in unknown[0] and "Too many failed logins" in unknown[2]
    assert [same_page(p) for p in known] == [same_page(p) for p in unknown]


def same_page(page: str) -> str:
    """The page without what differs on every response: CSRF tokens and the clock."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", page)
    return re.sub(r"\d\d:\d\d|about \d+ min", "", page)


def test_empty_fields_are_form_errors_not_attempts(client, world):
    response = client.post(LOGIN, {"username": "", "password": ""})
    assert response.status_code == 200
    assert not LoginFailure.objects.exists()


def test_logout_needs_a_post(client, world):
    client.force_login(world.users["community_worker"])
    assert client.get("/accounts/logout/").status_code == 405
    assert logged_in(client)
    response = client.post("/accounts/logout/")
    assert response.url == LOGIN and not logged_in(client)
