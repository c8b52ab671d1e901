"""`wuyi city campaign`: the four builders of the campaign's data, once; --replace rebuilds them."""

from django.core.management import call_command

from wuyi.campaign.models import Inspection
from wuyi.workforce.models import Worker


def test_the_command_builds_the_campaign_data_once(world, capsys):
    call_command("city", "campaign", "--seed", "7")
    out = capsys.readouterr().out
    assert all(name in out for name in ("campaign", "workforce", "venues", "care"))
    counts = (Inspection.objects.count(), Worker.objects.count())
    assert all(counts)
    call_command("city", "campaign")
    assert capsys.readouterr().out.count("already built") == 4
    assert (Inspection.objects.count(), Worker.objects.count()) == counts
    call_command("city", "campaign", "--seed", "7", "--replace")
    assert (Inspection.objects.count(), Worker.objects.count()) == counts  # the same seed: the same rows again
