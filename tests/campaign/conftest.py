import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wuyi.campaign import services
from wuyi.campaign.models import MeasureCatalogue

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 20, 12, 0, tzinfo=TZ)  # the world has no case: every compound is epidemic-free
INSPECTED = dt.date(2020, 3, 10)
CATALOGUE = "sz-2020-02"


@pytest.fixture
def catalogue(db):
    return MeasureCatalogue.objects.get(code=CATALOGUE)


@pytest.fixture
def measures(catalogue):
    return list(catalogue.measures.order_by("position"))


def answers(measures, failed=(), na=(), **extra):
    """Every measure passed except the positions (0-based) in ``failed`` and ``na``."""
    items = []
    for i, m in enumerate(measures):
        if i in failed:
            items.append(services.ItemInput(m.pk, "failed", f"item {i} not in place", **extra))
        elif i in na:
            items.append(services.ItemInput(m.pk, "not_applicable"))
        else:
            items.append(services.ItemInput(m.pk, "passed"))
    return items


def inspect(user, compound, measures, on=INSPECTED, **kwargs):
    return services.record_inspection(
        services.InspectionInput(compound.code, CATALOGUE, on, answers(measures, **kwargs)), user, now=NOW)


def png(size=(4, 4)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")
