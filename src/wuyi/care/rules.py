"""Who is a key person from a self-declaration, and when a key person is due a contact. Plain values in, frozen
dataclasses with reasons out; no Django import.

Sources (POLICY.md §8a, CONFIRMED): everyone who had been in the epidemic key areas in the past 14 days is under
home quarantine (五个100% #2); residents back from Hubei are under home quarantine (十个一律 #2); 14 days from
arrival. The key areas of February 2020 are taken as Hubei province: its name, its capital and its
prefecture-level divisions, matched in the free text of a declaration's travel rows.

Local choice (no source gives a frequency): a key person not contacted for more than ``CONTACT_DUE_DAYS`` days is
listed first; the communities shopped and delivered for quarantined households (POLICY.md §1d, §8a) but how often
they called is not recorded anywhere we found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

KEY_AREA_DAYS = 14  # "in the past 14 days", 14 days from arrival (POLICY.md §8a)
CONTACT_DUE_DAYS = 3  # local choice, see above
KEY_AREAS = (
    "湖北", "武汉", "黄石", "十堰", "宜昌", "襄阳", "鄂州", "荆门", "孝感", "荆州", "黄冈", "咸宁", "随州", "恩施",
    "仙桃", "潜江", "天门", "神农架", "hubei", "wuhan",
)

Reason = tuple[str, str]


@dataclass(frozen=True)
class Arrival:
    from_key_area: bool
    arrived_on: dt.date | None  # the last day in a key area, when one is found
    reasons: tuple[Reason, ...]


def key_area_in(place: str) -> str | None:
    """The key area named in a travel row's place, or None."""
    text = (place or "").lower()
    return next((area for area in KEY_AREAS if area in text), None)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def arrival(travel: Iterable[dict], today: dt.date) -> Arrival:
    """Whether a declaration's travel rows ({"place", "from", "to"}) show a stay in a key area that ended within
    ``KEY_AREA_DAYS`` days before ``today`` (a row without an end date counts from its start)."""
    latest: tuple[dt.date, str] | None = None
    for row in travel or ():
        area = key_area_in(row.get("place", ""))
        left = _date(row.get("to")) or _date(row.get("from"))
        if area is None or left is None or left > today:
            continue
        if latest is None or left > latest[0]:
            latest = (left, area)
    if latest is None:
        return Arrival(False, None, (("no_key_area", "no stay in a key epidemic area declared"),))
    left, area = latest
    if (today - left).days >= KEY_AREA_DAYS:
        return Arrival(False, left, (("key_area_over_14_days",
                                      f"left {area} on {left}, {KEY_AREA_DAYS} or more days ago"),))
    return Arrival(True, left, (("key_area_within_14_days", f"left {area} on {left}, within {KEY_AREA_DAYS} days"),))


@dataclass(frozen=True)
class Due:
    due: bool
    days_since: int | None  # None: never contacted
    reasons: tuple[Reason, ...]


def contact_due(last_contact: dt.date | None, since: dt.date, today: dt.date) -> Due:
    """A key person is due a contact when never contacted since ``since``, or last contacted more than
    ``CONTACT_DUE_DAYS`` days before ``today``."""
    if last_contact is None or last_contact < since:
        return Due(True, None, (("never_contacted", f"not contacted since {since}"),))
    days = (today - last_contact).days
    if days > CONTACT_DUE_DAYS:
        return Due(True, days, (("contact_overdue", f"last contacted {days} days ago"),))
    return Due(False, days, (("recently_contacted", f"last contacted {days} days ago"),))
