import datetime as dt

import pytest

from wuyi.places.models import Checkpoint, ServiceCentre
from wuyi.workforce.models import Worker

DAY = dt.date(2020, 2, 10)


@pytest.fixture
def ww(world):
    """The world with, on each side, a traffic checkpoint on the street, a service centre for the community, and
    three workers deployed to the community: a cadre (Party member), a medical worker and a police officer."""
    world.checkpoints, world.centres, world.workers = [], [], []
    for side in (0, 1):
        street, community = world.streets[side], world.communities[side]
        world.checkpoints.append(Checkpoint.objects.create(code=f"{street.code}K01", street=street,
                                                           name=f"{street.name}深南卡口"))
        world.centres.append(ServiceCentre.objects.create(code=f"{community.code}S", area=community,
                                                          name=f"{community.name}党群服务中心"))
        world.workers.append([
            Worker.objects.create(name=f"干部{side}", phone=f"1390000{side}001", kind="cadre", area=community,
                                  unit="市卫生健康委", party_member=True),
            Worker.objects.create(name=f"医生{side}", phone=f"1390000{side}002", kind="medical", area=community),
            Worker.objects.create(name=f"民警{side}", phone=f"1390000{side}003", kind="police", area=community),
        ])
    return world
