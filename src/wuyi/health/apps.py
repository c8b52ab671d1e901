from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "wuyi.health"
    verbose_name = _("Health")

    def ready(self) -> None:
        from django.db.models import Q

        from wuyi.accounts import scoping
        from wuyi.health import models as m
        from wuyi.places.models import code_range

        def own(user) -> Q:
            return Q(person_id=user.person_id)

        # A case belongs to the compound it was recorded in (its person may be unknown or live elsewhere).
        scoping.register(m.Case, by_area=lambda p: code_range("compound__code", p), by_self=own)
        for model in (m.CloseContact, m.QuarantineOrder, m.TestResult, m.Flag, m.DailyReport, m.PersonColour):
            scoping.register(model, by_area=lambda p: scoping.person_in_prefix(p, "person"), by_self=own)
