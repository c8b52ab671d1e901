"""The demo city's epidemic: the published counts, the published risk lists, clusters, determinism, idempotence."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command

from wuyi.health.models import Case, CloseContact, Cluster, PersonColour, QuarantineOrder, RiskListEntry
from wuyi.synth import city
from wuyi.synth.epidemic import build_epidemic, plan_timeline
from wuyi.synth.generator import load_data

DATA = load_data()
CODES = {d["name"]: d["code"] for d in DATA["districts"]}
FUTIAN = CODES["福田区"]


@pytest.fixture
def epidemic(db):
    city.generate("tiny", seed=5, progress=False)
    return build_epidemic(seed=2020)


def district_levels(day: str) -> dict[str, str]:
    entries = RiskListEntry.objects.filter(risk_list__date=day, risk_list__rule_id="cn-2020-02")
    return {code: level for code, level in entries.values_list("unit_code", "level") if len(code) == 6}


def test_the_counts_by_district_on_4_february_are_the_published_ones(epidemic):
    reported = Case.objects.filter(reported_on__lte=dt.date(2020, 2, 4)).values_list("compound__code", flat=True)
    by_district = Counter(code[:6] for code in reported)
    published = DATA["confirmed_cases_by_2020_02_04"]["by_district"]
    assert by_district == {CODES[name]: n for name, n in published.items()}
    first = Case.objects.order_by("reported_on").values_list("reported_on", flat=True)
    assert first[0] == dt.date(2020, 1, 19) and first[1] > first[0]
    unassigned = Case.objects.filter(reported_on__range=(dt.date(2020, 2, 5), dt.date(2020, 2, 8))).count()
    assert unassigned >= DATA["confirmed_cases_by_2020_02_04"]["not_assigned_to_a_district"]


def test_451_confirmed_by_31_march_376_of_them_imported_each_a_resident_discharged(epidemic):
    cases = Case.objects.filter(reported_on__lte=dt.date(2020, 3, 31))
    assert cases.count() == Case.objects.count() == 451 == epidemic.cases
    assert cases.filter(imported=True).count() == 376 and cases.filter(imported=False).count() == 75
    assert set(cases.values_list("kind", flat=True)) == {"confirmed"}
    assert not cases.filter(reported_on__range=(dt.date(2020, 3, 8), dt.date(2020, 3, 21))).exists()
    for case in cases.select_related("person", "household", "compound", "district"):
        assert case.person.verified
        assert case.household.code.startswith(case.compound.code) and case.compound.code.startswith(case.district.code)
        assert case.outcome == "discharged" and 14 <= (case.outcome_on - case.reported_on).days <= 28
        assert case.onset_on <= case.sampled_on <= case.reported_on
    assert set(PersonColour.objects.values_list("person_id", flat=True)) >= set(cases.values_list("person_id", flat=True))


def test_on_16_march_futian_is_medium_and_every_other_district_low(epidemic):
    levels = district_levels("2020-03-16")
    assert set(levels) == set(CODES.values())
    assert levels.pop(FUTIAN) == "medium"
    assert set(levels.values()) == {"low"}


def test_on_21_march_every_district_is_low(epidemic):
    levels = district_levels("2020-03-21")
    assert len(levels) == 10 and set(levels.values()) == {"low"}


def test_a_list_is_published_for_every_day_and_districts_are_high_in_february(epidemic):
    days = set(RiskListEntry.objects.filter(risk_list__rule_id="cn-2020-02").values_list("risk_list__date", flat=True))
    assert len(days) == 73 and min(days) == dt.date(2020, 1, 19) and max(days) == dt.date(2020, 3, 31)
    high = RiskListEntry.objects.filter(
        risk_list__date__range=(dt.date(2020, 2, 1), dt.date(2020, 2, 29)), level="high", unit_code__in=CODES.values()
    )
    assert {CODES["南山区"], FUTIAN} <= set(high.values_list("unit_code", flat=True))


def test_clusters_are_confirmed_households_and_members_are_contacts_in_quarantine(epidemic):
    clusters = Cluster.objects.all()
    assert clusters.count() == epidemic.clusters > 0
    for cluster in clusters:
        cases = list(cluster.cases.order_by("reported_on"))
        assert cluster.status == "confirmed" and cluster.setting == "household" and cluster.confirmed_at is not None
        assert len(cases) >= 2 and len({c.household_id for c in cases}) == 1
        assert (cases[-1].reported_on - cases[0].reported_on).days < 14
        assert cases[0].reported_on < dt.date(2020, 3, 1)
    contacts = CloseContact.objects.select_related("case")
    assert contacts.count() == epidemic.contacts > 0
    for contact in contacts:
        assert contact.degree == "close" and contact.identified_on == contact.case.reported_on
        assert contact.person.memberships.filter(household=contact.case.household_id).exists()
    orders = QuarantineOrder.objects.all()
    assert orders.count() == epidemic.quarantine_orders > 0
    single = [o for o in orders if (o.planned_end - o.start).days == 14]
    assert single and all(o.kind in ("centralized_quarantine", "home_quarantine") for o in orders)
    beijing = dt.timezone(dt.timedelta(hours=8))
    for order in single:
        assert order.released_at is not None and order.released_at.astimezone(beijing).date() <= order.planned_end


def test_the_timeline_depends_only_on_the_seed(db):
    def dates(seed):
        return [(c.reported_on, c.district, c.imported) for c in plan_timeline(seed).cases]

    assert dates(2020) == dates(2020) != dates(2021)
    city.generate("tiny", seed=5, progress=False)
    build_epidemic(seed=2020)
    first = sorted(Case.objects.values_list("reported_on", "compound__code", "imported"))
    build_epidemic(seed=2020, replace=True)
    assert sorted(Case.objects.values_list("reported_on", "compound__code", "imported")) == first
    assert [day for day, _c, _i in first] == sorted(day for day, _d, _i in dates(2020))


def test_running_it_twice_does_not_double_the_cases(epidemic):
    again = build_epidemic(seed=2020)
    assert not again.built and "already" in again.message
    assert Case.objects.count() == 451
    call_command("city", "epidemic")
    assert Case.objects.count() == 451 and Cluster.objects.count() == epidemic.clusters
    call_command("city", "epidemic", "--seed", "7", "--replace")
    assert Case.objects.count() == 451 and CloseContact.objects.filter(case__isnull=True).count() == 0


def test_replacing_the_city_takes_its_synthetic_epidemic_with_it(epidemic):
    city.generate("tiny", seed=6, progress=False, replace=True)
    assert not Case.objects.exists() and not Cluster.objects.exists()
