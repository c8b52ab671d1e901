from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from wuyi import views
from wuyi.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("wuyi.accounts.urls")),
    path("places/", include("wuyi.places.urls")),
    path("people/", include("wuyi.people.urls")),
    path("health/", include("wuyi.health.urls")),
    path("access/", include("wuyi.access.urls")),
    path("volunteers/", include("wuyi.volunteers.urls")),
    path("campaign/", include("wuyi.campaign.urls")),
    path("workforce/", include("wuyi.workforce.urls")),
    path("venues/", include("wuyi.venues.urls")),
    path("care/", include("wuyi.care.urls")),
    path("dashboard/", include("wuyi.dashboard.urls")),
]
