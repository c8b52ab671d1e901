from django.urls import path

from wuyi.campaign import views

app_name = "campaign"
urlpatterns = [
    path("", views.home, name="home"),
    path("catalogues/", views.catalogues, name="catalogues"),
    path("catalogues/<str:code>/", views.catalogue, name="catalogue"),
    path("catalogues/<str:code>/copy/", views.copy_catalogue, name="copy_catalogue"),
    path("compounds/<str:code>/", views.compound, name="compound"),
    path("compounds/<str:code>/inspect/", views.inspect, name="inspect"),
    path("compounds/<str:code>/nominate/", views.nominate, name="nominate"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("inspections.xlsx", views.inspections_export, name="inspections_export"),
    path("demonstrations/", views.demonstrations, name="demonstrations"),
    path("demonstrations/public/", views.public_list, name="public"),
    path("demonstrations/<int:pk>/decide/", views.decide, name="decide"),
    path("demonstrations/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("activities/", views.activities, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities.xlsx", views.activities_export, name="activities_export"),
]
