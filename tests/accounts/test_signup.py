"""Resident sign-up with a mobile number, straight on to the self-declaration."""

import pytest

from tests.world import PASSWORD
from wuyi.accounts.models import Role, User

SIGNUP = "/accounts/signup/"


def sign_up(client, phone, password1=PASSWORD, password2=None):
    return client.post(SIGNUP, {"phone": phone, "password1": password1, "password2": password2 or password1})


def test_a_resident_signs_up_is_logged_in_and_sent_to_declare(client, db):
    response = sign_up(client, "139 1234 5678")
    assert response.status_code == 302 and response.url == "/people/declare/"
    user = User.objects.get(username="13912345678")
    assert user.role == Role.RESIDENT and user.person is None and user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("phone", ["1391234567", "139123456789", "23912345678", "1391234567a", ""])
def test_a_mobile_number_has_eleven_digits(client, db, phone):
    response = sign_up(client, phone)
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert not User.objects.exists()


def test_the_passwords_must_match(client, db):
    response = sign_up(client, "13912345678", PASSWORD, PASSWORD + "x")
    assert response.context["form"].errors["password2"]
    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["short1", "13912345678", "12345678901", "password"])
def test_weak_passwords_are_refused(client, db, password):
    response = sign_up(client, "13912345678", password)
    assert response.status_code == 200 and response.context["form"].errors["password1"]
    assert not User.objects.exists()


def test_a_number_signs_up_once(client, db):
    sign_up(client, "13912345678")
    client.logout()
    response = sign_up(client, "13912345678", "another-pass-2")
    assert response.status_code == 200 and response.context["form"].errors["phone"]
    assert User.objects.filter(username="13912345678").count() == 1
    assert User.objects.get(username="13912345678").check_password(PASSWORD)
