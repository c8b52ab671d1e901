from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "wuyi.workforce"
    verbose_name = _("People on the ground")

    def ready(self) -> None:
        from wuyi.accounts import scoping
        from wuyi.places.models import code_range
        from wuyi.workforce import models as m

        # A worker belongs to the area they are deployed to; their shifts and Party memberships go with them.
        scoping.register(m.Worker, by_area=lambda p: code_range("area__code", p))
        scoping.register(m.Shift, by_area=lambda p: code_range("worker__area__code", p))
        scoping.register(m.PartyMember, by_area=lambda p: code_range("worker__area__code", p))
