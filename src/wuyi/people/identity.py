"""ID numbers (居民身份证号码, GB 11643-1999) are never stored in clear.

A number is validated (format, birth date, check digit), then kept only as an HMAC for lookup
and a masked form for display, e.g. 4403**********123X.
"""

import datetime as dt
import hashlib
import hmac
import re

from django.utils.translation import gettext_noop  # marked for the catalogue; callers translate

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FORMAT = re.compile(r"^\d{17}[\dX]$")


class InvalidIdNumber(ValueError):
    pass


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def normalise(number: str) -> str:
    """The number in canonical form, or InvalidIdNumber saying what is wrong with it."""
    number = number.strip().upper().replace(" ", "")
    if not _FORMAT.match(number):
        raise InvalidIdNumber(gettext_noop("an ID number has 17 digits and a final digit or X"))
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(gettext_noop("the birth date inside the ID number does not exist")) from None
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber(gettext_noop("the check digit of the ID number is wrong"))
    return number


def id_hmac(number: str, key: bytes) -> str:
    """The lookup key for a normalised number: 128 bits of HMAC-SHA256, hex."""
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:32]


def mask(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


def birth_year(number: str) -> int:
    return int(number[6:10])


def sex(number: str) -> str:
    """GB 11643: the 17th digit is odd for men and even for women."""
    return "M" if int(number[16]) % 2 else "F"


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧**娜, Ann Lee → A** L**."""
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"
