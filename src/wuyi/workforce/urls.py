from django.urls import path

from wuyi.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.home, name="home"),
]
