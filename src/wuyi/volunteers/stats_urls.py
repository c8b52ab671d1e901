from django.urls import path

from wuyi.volunteers import stats_views

urlpatterns = [
    path("", stats_views.stats_page, name="stats"),
    path("export.xlsx", stats_views.stats_export, name="stats_export"),
]
