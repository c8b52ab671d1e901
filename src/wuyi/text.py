"""Checks of typed text that every app shares: ``str.isdigit`` also takes "²" and "١", which neither a phone
number nor ``int()`` (nor a database key) takes."""

import re

MOBILE_PHONE = re.compile(r"1[0-9]{10}")  # a mainland mobile number
# Control characters, DEL, and lone surrogates (JSON can carry them; no database can store them); the tab apart
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_UNPRINTABLE_BUT_TAB = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")
ID_DIGITS = 18  # an id typed in a URL or a form: up to 18 digits stays below 2**63, every database's key


def is_mobile_phone(value: str) -> bool:
    return MOBILE_PHONE.fullmatch(value) is not None


def printable(text: str, *, tab: bool = False) -> bool:
    """No control character (PostgreSQL cannot store NUL, and no name, note or reason needs the others; a tab only
    where ``tab`` allows it), no DEL and no lone surrogate."""
    return (_UNPRINTABLE_BUT_TAB if tab else _UNPRINTABLE).search(text) is None


def ascii_digits(value: str) -> bool:
    """Only the digits 0–9, at least one."""
    return value.isascii() and value.isdigit()


def row_id(value: str) -> int | None:
    """The id typed in ``value``, or None when it is none (not digits, or past a 64-bit key)."""
    return int(value) if ascii_digits(value) and len(value) <= ID_DIGITS else None
