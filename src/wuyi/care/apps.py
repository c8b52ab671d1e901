from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "wuyi.care"
    verbose_name = _("Care for key persons")

    def ready(self) -> None:
        from wuyi.accounts import scoping
        from wuyi.care import models as m
        from wuyi.places.models import code_range

        # A key person belongs to the community that looks after them; residents see none of it (no by_self).
        scoping.register(m.KeyPerson, by_area=lambda p: code_range("community__code", p))
        scoping.register(m.CareContact, by_area=lambda p: code_range("key_person__community__code", p))
