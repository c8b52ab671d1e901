from django.urls import path

from wuyi.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.home, name="area"),
    path("<str:code>/<slug:panel>.xlsx", views.export, name="export"),
]
