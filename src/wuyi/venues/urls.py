from django.urls import path

from wuyi.venues import views

app_name = "venues"
urlpatterns = [
    path("", views.home, name="home"),
]
