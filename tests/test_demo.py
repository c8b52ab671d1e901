from django.core.management import call_command

from wuyi.accounts.models import Role, User
from wuyi.campaign.models import Inspection
from wuyi.care.models import KeyPerson
from wuyi.people.models import Declaration
from wuyi.venues.models import Venue
from wuyi.workforce.models import Worker


def test_demo_sets_up_one_account_per_role_and_a_queue(db, settings, capsys):
    call_command("demo", no_serve=True)
    users = {u.username: u for u in User.objects.all()}
    assert {u.role for u in users.values()} == set(Role.values)
    assert (users["leader"].role, users["leader"].area.level) == (Role.LEADER, "city")
    assert "leader" in capsys.readouterr().out
    assert users["community"].area.level == "community"
    assert users["guard"].gate.compound.parent == users["community"].area
    assert users["resident"].person.verified
    assert users["resident"].person.passes.get().compound.parent == users["community"].area
    pending = Declaration.objects.filter(status="pending", household__code__startswith=users["community"].area.code)
    assert pending.count() == 3
    built = {model: model.objects.count() for model in (Inspection, Worker, Venue, KeyPerson)}
    assert all(built.values()), built  # the campaign's data: inspections, workforce, small venues, care
    call_command("demo", no_serve=True)  # a second run builds nothing twice
    assert Declaration.objects.filter(status="pending").count() == 3
    assert {model: model.objects.count() for model in built} == built
    assert User.objects.count() == len(users)
