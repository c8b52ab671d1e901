"""The demo: one account per role on the generated city, with a password everyone can type; the campaign's data
(campaign, workforce, small venues, care) built by the other apps' synthesizers."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction

from wuyi.accounts.models import Role, User
from wuyi.people import services
from wuyi.people.models import Membership
from wuyi.places.models import Area, Gate, Level

DEMO_PASSWORD = "wuyi2020"
# The campaign's data is built after the epidemic and the volunteer history (``build_campaign_data``).


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    where: str


@dataclass(frozen=True)
class Built:
    name: str
    message: str


def campaign_builders() -> list[tuple[str, Callable, type[models.Model]]]:
    """The other apps' builders in the order they run, each with the model whose rows say its data exists. Each
    takes (seed, *, today=None, replace=True, progress=None)."""
    from wuyi.campaign.models import Inspection
    from wuyi.care.models import KeyPerson
    from wuyi.synth.campaign import build_campaign
    from wuyi.synth.care import build_care
    from wuyi.synth.venues import build_venues
    from wuyi.synth.workforce import build_workforce
    from wuyi.venues.models import Venue
    from wuyi.workforce.models import Worker

    return [("campaign", build_campaign, Inspection), ("workforce", build_workforce, Worker),
            ("venues", build_venues, Venue), ("care", build_care, KeyPerson)]


def build_campaign_data(seed: int = 2020, *, replace: bool = False,
                        progress: Callable[[str, int, int], None] | None = None) -> list[Built]:
    """Run the four builders in order: each whose data is missing, or every one with ``replace``."""
    results = []
    for name, builder, model in campaign_builders():
        if not replace and model.objects.exists():
            results.append(Built(name, "already built; nothing done (--replace rebuilds it)"))
            continue
        counts = builder(seed, replace=True, progress=progress)
        results.append(Built(name, ", ".join(f"{key} {n:,}" for key, n in counts.items() if key != "built")))
    return results


@transaction.atomic
def ensure_demo_accounts() -> list[DemoLogin]:
    """Create (or reset the password of) one account per role in the first community of Futian (福田)."""
    city = Area.objects.get(level=Level.CITY)
    district = Area.objects.filter(level=Level.DISTRICT, code="440304").first() or Area.objects.filter(
        level=Level.DISTRICT).first()
    street = Area.objects.filter(parent=district).order_by("code").first()
    community = Area.objects.filter(parent=street).order_by("code").first()
    gate = Gate.objects.filter(compound__parent=community).order_by("code").first()
    residents = (
        Membership.objects.filter(household__code__startswith=community.code, moved_out__isnull=True,
                                  person__verified=True)
        .select_related("person", "household").order_by("household__code", "pk")[:2]
    )
    resident, volunteer = (m.person for m in residents)
    plan = [
        ("admin", Role.CITY_ADMIN, {"area": city, "is_staff": True, "is_superuser": True}),
        ("district", Role.DISTRICT_WORKER, {"area": district}),
        ("street", Role.STREET_WORKER, {"area": street}),
        ("community", Role.COMMUNITY_WORKER, {"area": community}),
        ("guard", Role.GATE_GUARD, {"gate": gate}),
        ("health", Role.HEALTH_OFFICIAL, {"area": city}),
        ("leader", Role.LEADER, {"area": city}),
        ("volunteer", Role.VOLUNTEER, {"person": volunteer}),
        ("resident", Role.RESIDENT, {"person": resident}),
    ]
    logins = []
    for username, role, fields in plan:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = role
        for name, value in fields.items():
            setattr(user, name, value)
        user.set_password(DEMO_PASSWORD)
        user.save()
        where = gate.name if role == Role.GATE_GUARD else (
            fields["area"].name if "area" in fields else f"{community.name} · {fields['person'].masked_name}")
        logins.append(DemoLogin(username, user.get_role_display(), where))
    ensure_demo_declarations(community)
    for membership in residents:  # verified residents of the roster hold their compound's pass
        compound = Area.objects.get(code=membership.household.compound_code)
        services.issue_pass(membership.person, compound, by=None)
    ensure_demo_gate_traffic(gate)
    return logins


def ensure_demo_gate_traffic(gate: Gate, seed: int = 2020) -> int:
    """The last 12 hours at the demo guard's gate, as a gate kit would have uploaded them, so that the access log
    has something to show: entries and exits, a few refusals. Made once per day."""
    import datetime as dt
    import random
    import uuid

    from django.utils import timezone

    from wuyi.access import events
    from wuyi.access.models import AccessEvent

    now = timezone.now()
    if AccessEvent.objects.filter(gate_code=gate.code, occurred_at__gte=now - dt.timedelta(hours=12)).exists():
        return 0
    rng = random.Random(seed)
    refusals = [("fever", "report_to_community"), ("not_for_this_compound", "register_as_visitor"),
                ("expired", "ask_for_paper_pass"), ("outsider_not_admitted", "register_as_visitor")]
    batch = []
    for _ in range(400):
        moment = now - dt.timedelta(seconds=rng.randrange(12 * 3600))
        refused = rng.random() < 0.04
        reason, step = rng.choice(refusals) if refused else ("admitted", "let_in")
        direction = "in" if refused or rng.random() < 0.5 else "out"
        if direction == "out" and not refused:
            reason, step = "may_leave", "let_out"
        batch.append({"event_id": str(uuid.UUID(int=rng.getrandbits(128))), "occurred_at": moment.isoformat(),
                      "gate": gate.code, "direction": direction, "allowed": not refused, "reason": reason,
                      "next_step": step, "holder_kind": "" if reason == "outsider_not_admitted" else "resident",
                      "temperature": 38.2 if reason == "fever" else round(rng.uniform(36.0, 37.1), 1)})
    return len(events.ingest(batch, device="demo").accepted)


DEMO_DECLARANTS = [("陈思远", "19880412", "13712345601", ["fever"]), ("林晓雯", "19950923", "13712345602", []),
                   ("赵志强", "19620305", "13712345603", [])]


def ensure_demo_declarations(community: Area) -> int:
    """A few self-declarations waiting in the demo community's queue, so the queue has work in it."""
    from wuyi.people import identity
    from wuyi.people.models import Declaration, DeclarationStatus
    from wuyi.places.models import Household

    if Declaration.objects.filter(status=DeclarationStatus.PENDING, household__code__startswith=community.code).exists():
        return 0
    households = list(Household.objects.filter(code__startswith=community.code).order_by("code")[:len(DEMO_DECLARANTS)])
    for (name, birth, phone, symptoms), household, seq in zip(DEMO_DECLARANTS, households, range(901, 999, 2)):
        first17 = f"{community.code[:6]}{birth}{seq:03d}"
        services.submit_declaration(
            services.DeclarationInput(
                name=name, id_number=first17 + identity.check_digit(first17), phone=phone,
                household_code=household.code, relation="tenant", symptoms=symptoms,
            ),
            by=None,
        )
    return len(households)
