"""Account operations: logging in under the lockout, resident sign-up, API tokens.

The lockout counts `LoginFailure` rows for a user name. Names without an account are logged and
locked exactly like real ones, so neither the messages nor the lockout tell whether a name exists.
"""

import math
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
    NumericPasswordValidator,
    UserAttributeSimilarityValidator,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from wuyi.accounts.models import ApiToken, LoginFailure, Role, User
from wuyi.errors import DomainError
from wuyi.text import is_mobile_phone

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length
TOKEN_NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length

# A mainland mobile number: 11 digits, the first a 1 (GB/T 12400 numbering plan).

# Residents choose their own passwords: Django's four standard checks, whatever the settings say.
SIGNUP_PASSWORD_VALIDATORS = [
    UserAttributeSimilarityValidator(),
    MinimumLengthValidator(8),
    CommonPasswordValidator(),
    NumericPasswordValidator(),
]


class LoginFailed(DomainError):
    def __init__(self) -> None:
        super().__init__("login_failed", _("Wrong user name or password."), status=401)


class LoginLocked(DomainError):
    def __init__(self, until: datetime) -> None:
        self.until = until
        minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
        super().__init__(
            "login_locked",
            _("Too many failed logins for this name. Logging in with it is locked until %(time)s "
              "(about %(minutes)s min); try again then.")
            % {"time": timezone.localtime(until).strftime("%H:%M"), "minutes": minutes},
            status=429,
        )


def locked_until(username: str, now: datetime | None = None) -> datetime | None:
    """When the lock on `username` ends, or None when it is not locked.

    LOGIN_MAX_FAILURES failures within LOGIN_LOCKOUT_MINUTES lock the name for LOGIN_LOCKOUT_MINUTES
    from the last of them. Attempts during a lock are refused unchecked and not logged, so the lock
    ends on time.
    """
    now = now or timezone.now()
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    limit = settings.LOGIN_MAX_FAILURES
    latest = list(
        LoginFailure.objects.filter(username=username, at__gt=now - 2 * window)
        .order_by("-at").values_list("at", flat=True)[:limit]
    )
    if len(latest) < limit or latest[0] - latest[-1] > window or latest[0] + window <= now:
        return None
    return latest[0] + window


def log_in(request: HttpRequest, username: str, password: str, ip: str | None = None) -> User:
    """The active user with these credentials; LoginLocked or LoginFailed otherwise (and the failure logged)."""
    username = username.strip()[:USERNAME_MAX_LENGTH]
    until = locked_until(username)
    if until is not None:
        raise LoginLocked(until)
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username, ip=ip)
        until = locked_until(username)
        raise LoginLocked(until) if until is not None else LoginFailed()
    return user


def sign_up(phone: str, password: str) -> User:
    """A new resident account whose user name is the mobile number."""
    phone = re.sub(r"[\s-]", "", phone)
    if not is_mobile_phone(phone):
        raise DomainError("invalid_phone", _("Enter a mobile number of 11 digits."), "phone")
    user = User(username=phone, role=Role.RESIDENT)
    try:
        validate_password(password, user, SIGNUP_PASSWORD_VALIDATORS)
    except ValidationError as e:
        raise DomainError("weak_password", " ".join(e.messages), "password1") from None
    user.set_password(password)
    taken = DomainError("phone_taken", _("An account with this mobile number already exists. Log in instead."),
                        "phone")
    if User.objects.filter(username=phone).exists():
        raise taken
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise taken from None
    return user


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token of `user` and its key, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise DomainError("name_required", _("Give the token a name, e.g. the device it is for."), "name")
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise DomainError(
            "name_too_long", _("A token name has at most %(n)s characters.") % {"n": TOKEN_NAME_MAX_LENGTH}, "name"
        )
    with transaction.atomic():
        return ApiToken.issue(user, name)


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of `user`'s own tokens; revoking a revoked token changes nothing."""
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not revoked and not ApiToken.objects.filter(pk=token_id, user=user).exists():
            raise DomainError("not_found", _("No such token."), status=404)
