from django.urls import path

from wuyi.venues import views

app_name = "venues"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.venue, name="venue"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("applications/<int:pk>/inspect/", views.inspect, name="inspect"),
    path("notices/<int:pk>.pdf", views.notice, name="notice"),
]
