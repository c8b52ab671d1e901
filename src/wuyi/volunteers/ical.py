"""A volunteer's claims as an iCalendar feed (RFC 5545), for a phone's calendar to subscribe to.

One VEVENT per live claim (claimed or done) on a task that was not cancelled and ended at most
``FEED_PAST`` ago; a cancelled claim disappears from the feed, and so from subscribed calendars. Times are UTC
(``…Z``); lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character; TEXT values
escape backslash, semicolon, comma and newlines (§3.3.11).

The feed carries no contact details: a subscribed calendar is copied to third-party services, and a task's
personal contact is shown only on the platform's own pages (DESIGN.md §4).

The feed's URL holds a token, an HMAC of the volunteer's id under ``settings.SECRET_KEY`` (no stored field),
so anyone with the URL reads the volunteer's schedule. It cannot be revoked for one volunteer: rotating
SECRET_KEY revokes every volunteer's feed at once (SECRET_KEY_FALLBACKS are not consulted), and sessions and
password-reset links with them. Revoking one feed needs a per-volunteer salt field.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from wuyi.text import row_id
from wuyi.volunteers.models import LIVE_CLAIM, Claim, TaskStatus, Volunteer

FEED_PAST = dt.timedelta(days=30)
LINE_OCTETS = 75
PRODID = "-//wuyi//volunteer claims//ZH"
_SALT = "wuyi.volunteers.ical"
_MAC_LENGTH = 32


# ---- the token ---------------------------------------------------------------------------------------------


def _mac(volunteer_id: int) -> str:
    return salted_hmac(_SALT, str(volunteer_id), algorithm="sha256").hexdigest()[:_MAC_LENGTH]


def token_for(volunteer: Volunteer) -> str:
    """The secret part of the volunteer's feed URL: ``<id>-<HMAC>``."""
    return f"{volunteer.pk}-{_mac(volunteer.pk)}"


def volunteer_id_of(token: str) -> int | None:
    """The volunteer id a token was made for, or None if it is not one of ours."""
    head, _, mac = (token or "").partition("-")
    volunteer_id = row_id(head)
    if volunteer_id is None or not constant_time_compare(mac, _mac(volunteer_id)):
        return None
    return volunteer_id


# ---- the format --------------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): \\ ; , escaped, every newline as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line folded into lines of at most 75 octets (§3.1), never inside a UTF-8 character; each
    continuation starts with a space."""
    data = line.encode()
    if len(data) <= LINE_OCTETS:
        return line
    pieces, start, room = [], 0, LINE_OCTETS
    while start < len(data):
        end = min(start + room, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a character: back to its start
            end -= 1
        pieces.append(data[start:end].decode())
        start, room = end, LINE_OCTETS - 1
    return "\r\n ".join(pieces)


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _location(task) -> str:
    if task.service_centre_id:
        centre = task.service_centre
        return ", ".join(part for part in (centre.name, centre.address) if part)
    if task.gate_id:
        gate, compound = task.gate, task.gate.compound
        return gate.name if gate.name.startswith(compound.name) else f"{compound.name} {gate.name}"
    if task.compound_id:
        return ", ".join(part for part in (task.compound.name, task.compound.address) if part)
    return task.community.name


def _event(claim: Claim) -> list[str]:
    task = claim.task
    description = "\n".join(part for part in (task.get_kind_display(), task.description) if part)
    revised = claim.confirmed_at or claim.claimed_at
    return [
        "BEGIN:VEVENT",
        f"UID:claim-{claim.pk}@wuyi",
        f"DTSTAMP:{utc(revised)}",
        f"DTSTART:{utc(task.starts_at)}",
        f"DTEND:{utc(task.ends_at)}",
        f"SUMMARY:{escape(task.title)}",
        f"LOCATION:{escape(_location(task))}",
        f"DESCRIPTION:{escape(description)}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
    ]


def feed(volunteer: Volunteer, now: dt.datetime | None = None) -> str:
    """The volunteer's calendar (one query)."""
    now = now or timezone.now()
    claims = (Claim.objects.filter(LIVE_CLAIM, volunteer=volunteer, task__ends_at__gt=now - FEED_PAST)
              .exclude(task__status=TaskStatus.CANCELLED)
              .select_related("task__community", "task__compound", "task__gate__compound",
                              "task__service_centre")
              .order_by("task__starts_at", "pk"))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape('志愿服务')}"]
    for claim in claims:
        lines += _event(claim)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
