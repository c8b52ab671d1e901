"""The dashboard's fixture: the world, plus data of every panel made with the other apps' models, on fixed days.

Hand count on DAY (2020-03-10), by side (0: 福田区 440304, 1: 宝安区 440306):

  places     side 0: communities c0 and c0b (street s0), compounds k0 (garden, c0), k0b (urban village, c0),
             k0c (garden, c0b); side 1: community c1, compound k1 (garden)
  workforce  side 0: 2 active cadres and 1 social worker on c0, 1 inactive cadre; side 1: 1 police officer;
             Party organisations: c0 one set up 02-10, one dissolved 03-01, one set up 03-11 (after the day);
             side 1: one set up 02-15
  volunteers p0, p1 in c0; p2 in c1. Tasks: c0 two (03-01, 03-09) and one cancelled, c1 one (02-01, outside the
             30 days); done claims: c0 3 participations, c1 2 (on the task outside the window: not counted)
  risk       list of 03-08: 440304 medium, 440304001 medium, 440306 low, 440306001 low; a later list 03-12 (after)
  status     a confirmed case in k1 reported 03-05: k1 not yet epidemic-free; k0, k0b, k0c epidemic-free
  demo       k0 approved 03-05, k0b nominated (pending), k0c approved 03-11 (after the day: neither approved on
             the day nor pending), k1 street_approved (pending)
  compliance k0: inspections 02-20 (0.5) and 03-06 (0.9, not fully compliant), k0b: 03-01 (1.0, fully
             compliant) and 03-12 (0.2, after the day); k0c and k1 never; open rectification on k0 (1), one done
  refusals   DAY: k0 fever ×2, expired ×1; k1 red_code ×1; one admitted; the day before: k0 fever ×1
"""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from wuyi.access import events
from wuyi.access.models import AccessEvent
from wuyi.campaign.models import (
    Demonstration,
    Inspection,
    InspectionResult,
    Measure,
    MeasureCatalogue,
    Rectification,
)
from wuyi.health.models import Case, RiskList, RiskListEntry
from wuyi.places.models import Area, CompoundKind, Gate, Level
from wuyi.volunteers.models import Claim, Task, Volunteer
from wuyi.workforce.models import PartyOrganisation, Worker

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2020, 3, 10)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), SHANGHAI)


def d(month: int, day: int) -> dt.date:
    return dt.date(2020, month, day)


@pytest.fixture
def board(world):
    w = world
    c0, c1 = w.communities
    k0, k1 = w.compounds
    s0 = w.streets[0]
    k0b = Area.objects.create(code=c0.code + "002", name="下沙村", level=Level.COMPOUND, parent=c0,
                              kind=CompoundKind.URBAN_VILLAGE)
    c0b = Area.objects.create(code=s0.code + "002", name="园西社区", level=Level.COMMUNITY, parent=s0)
    k0c = Area.objects.create(code=c0b.code + "001", name="园西花园", level=Level.COMPOUND, parent=c0b,
                              kind=CompoundKind.GARDEN_ESTATE)
    Gate.objects.create(code=k0b.code + "G1", compound=k0b, name="下沙村北门")

    for kind, area, active in [("cadre", c0, True), ("cadre", c0, True), ("social_worker", c0, True),
                               ("cadre", c0, False), ("police", c1, True)]:
        Worker.objects.create(name="干部", kind=kind, area=area, active=active)
    for area, set_up, dissolved in [(c0, d(2, 10), None), (c0, d(2, 10), d(3, 1)), (c0, d(3, 11), None),
                                    (c1, d(2, 15), None)]:
        PartyOrganisation.objects.create(name="临时党支部", area=area, front="compound", set_up_on=set_up,
                                         dissolved_on=dissolved)

    v = [Volunteer.objects.create(person=p, community=c) for p, c in zip(w.people[:3], [c0, c0, c1])]

    def task(community, day, status="open"):
        return Task.objects.create(kind="gate_duty", title="值守", community=community, starts_at=at(day, 8),
                                   ends_at=at(day, 12), capacity=3, status=status)

    t1, t2, _t3, t4 = task(c0, d(3, 1)), task(c0, d(3, 9)), task(c0, d(3, 2), "cancelled"), task(c1, d(2, 1))
    for t, volunteer, n in [(t1, v[0], 2), (t2, v[1], 1), (t4, v[2], 2)]:
        Claim.objects.create(task=t, volunteer=volunteer, slots=n, status="done", participations=n, hours=4 * n,
                             confirmed_at=t.ends_at + dt.timedelta(hours=1))

    for day, levels in [(d(3, 8), {"440304": "medium", "440304001": "medium", "440306": "low", "440306001": "low"}),
                        (d(3, 12), {"440304": "high", "440304001": "high", "440306": "high", "440306001": "high"})]:
        rl = RiskList.objects.create(date=day, rule_id="cn-2020-02", published_at=at(day))
        for code, level in levels.items():
            RiskListEntry.objects.create(risk_list=rl, unit_code=code, unit_name=Area.objects.get(code=code).name,
                                         level=level, cases_in_all=3, cases_within_14_days=1 if level != "low" else 0,
                                         clusters_within_14_days=0, days_since_last_case=5)

    Case.objects.create(kind="confirmed", reported_on=d(3, 5), compound=k1, district=w.districts[1])

    Demonstration.objects.create(compound=k0, community=c0, status="approved", nominated_at=at(d(2, 25)),
                                 approved_at=at(d(3, 5)))
    Demonstration.objects.create(compound=k0b, community=c0, status="nominated", nominated_at=at(d(3, 1)))
    Demonstration.objects.create(compound=k0c, community=c0b, status="approved", nominated_at=at(d(3, 1)),
                                 approved_at=at(d(3, 11)))
    Demonstration.objects.create(compound=k1, community=c1, status="street_approved", nominated_at=at(d(3, 1)))

    catalogue = MeasureCatalogue.objects.create(code="test-cat", title="测试", issued_on=d(2, 7),
                                                effective_from=d(2, 7))
    measures = [Measure.objects.create(catalogue=catalogue, position=i, group="five_100", number=i, text="测温",
                                       status="confirmed") for i in (1, 2)]

    def inspect(compound, day, score, full=False):
        return Inspection.objects.create(compound=compound, catalogue=catalogue, inspected_on=day, score=score,
                                         fully_compliant=full)

    inspect(k0, d(2, 20), 0.5)
    latest = inspect(k0, d(3, 6), 0.9)
    inspect(k0b, d(3, 1), 1.0, True)
    inspect(k0b, d(3, 12), 0.2)
    for measure, status in zip(measures, ("open", "done")):
        result = InspectionResult.objects.create(inspection=latest, measure=measure, result="failed")
        Rectification.objects.create(inspection=latest, result=result, compound=k0, measure=measure,
                                     description="补测温点", due_on=d(3, 12), status=status)

    g0, g1 = w.gates
    rows = [(g0, k0, DAY, "fever"), (g0, k0, DAY, "fever"), (g0, k0, DAY, "expired"), (g1, k1, DAY, "red_code"),
            (g0, k0, DAY, "admitted"), (g0, k0, DAY - dt.timedelta(days=1), "fever")]
    events.ensure_partitions({DAY, DAY - dt.timedelta(days=1)})
    AccessEvent.objects.bulk_create([
        AccessEvent(event_id=uuid.uuid4(), occurred_at=at(day, 9), received_at=at(day, 9),
                    district_code=compound.code[:6], compound_code=compound.code, gate_code=gate.code,
                    direction="in", allowed=reason == "admitted", reason=reason, source="kit")
        for gate, compound, day, reason in rows])
    return w
