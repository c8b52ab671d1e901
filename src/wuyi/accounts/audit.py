"""The audit log: every read of a person's details and every change to them is written here."""

from collections.abc import Iterable

from wuyi.accounts.models import AuditEntry, User
from wuyi.people.models import Person


def actor_label(user: User | None) -> str:
    if user is None or not user.is_authenticated:
        return "anonymous"
    area = user.gate.name if user.gate_id else (user.area.name if user.area_id else "")
    return f"{user.username} ({user.get_role_display()}{' · ' + area if area else ''})"


def record(user: User | None, person: Person | int | None, action: str, what: str, ip: str | None = None) -> None:
    AuditEntry.objects.create(
        actor=user if user is not None and user.is_authenticated else None,
        actor_label=actor_label(user),
        person_id=person.pk if isinstance(person, Person) else person,
        action=action,
        what=what[:300],
        ip=ip,
    )


def record_many(user: User, people: Iterable[int], action: str, what: str, ip: str | None = None) -> None:
    """One entry per person, for a list that shows personal details (names, ID, phone)."""
    label = actor_label(user)
    AuditEntry.objects.bulk_create(
        [AuditEntry(actor=user, actor_label=label, person_id=pk, action=action, what=what[:300], ip=ip)
         for pk in people],
        batch_size=500,
    )


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
