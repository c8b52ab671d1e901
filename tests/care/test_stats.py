"""Care figures for the dashboard: active key persons by reason and contacts of the last 7 days, beneath an area
and by child area."""

import datetime as dt

from django.utils import timezone

from wuyi.care import services, stats
from wuyi.care.models import CareContact, KeyReason

NOW = timezone.now()
TODAY = timezone.localdate(NOW)


def test_figures_and_by_child(world):
    cw, cw1 = world.users["community_worker"], world.users["community_worker@1"]
    since = TODAY - dt.timedelta(days=20)
    a = services.add_key_person(world.people[0].pk, KeyReason.FROM_KEY_AREA, since, by=cw)
    services.add_key_person(world.people[1].pk, KeyReason.QUARANTINED_HOUSEHOLD, since, by=cw)
    ended = services.add_key_person(world.people[1].pk, KeyReason.FROM_KEY_AREA, since, by=cw)
    b = services.add_key_person(world.people[2].pk, KeyReason.FROM_KEY_AREA, since, by=cw1)
    services.end_care(ended.pk, TODAY, by=cw)
    for kp, days_ago, by in ((a, 1, cw), (a, 6, cw), (a, 8, cw), (b, 2, cw1)):
        services.log_contact(kp.pk, services.ContactInput("call", NOW - dt.timedelta(days=days_ago)), by=by, now=NOW)
    assert CareContact.objects.count() == 4
    assert stats.figures(world.city.prefix, now=NOW) == {
        "key_persons": 3, "from_key_area": 2, "quarantined_household": 1, "contacts_7d": 3}
    assert stats.figures(world.communities[0].prefix, now=NOW) == {
        "key_persons": 2, "from_key_area": 1, "quarantined_household": 1, "contacts_7d": 2}
    assert stats.figures_by_child(world.city, now=NOW) == {
        world.districts[0].code: {"key_persons": 2, "from_key_area": 1, "quarantined_household": 1, "contacts_7d": 2},
        world.districts[1].code: {"key_persons": 1, "from_key_area": 1, "quarantined_household": 0, "contacts_7d": 1},
    }
    assert stats.figures(world.districts[1].prefix + "9", now=NOW) == stats.empty()
