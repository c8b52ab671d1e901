from django.urls import path

from wuyi.health import views

app_name = "health"
urlpatterns = [
    path("risk/", views.risk, name="risk"),
]
