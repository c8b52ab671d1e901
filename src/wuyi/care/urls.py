from django.urls import path

from wuyi.care import views

app_name = "care"
urlpatterns = [
    path("", views.home, name="home"),
]
