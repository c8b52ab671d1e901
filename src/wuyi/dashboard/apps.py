from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "wuyi.dashboard"
    verbose_name = _("City dashboard")
