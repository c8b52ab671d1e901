from django.urls import include, path

app_name = "volunteers"
urlpatterns = [
    path("stats/", include("wuyi.volunteers.stats_urls")),  # statistics (ECharts), owned by stats_views.py
]
