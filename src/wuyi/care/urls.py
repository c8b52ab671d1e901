from django.urls import path

from wuyi.care import views

app_name = "care"
urlpatterns = [
    path("", views.home, name="home"),
    path("confirm/", views.confirm, name="confirm"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.person, name="person"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("<int:pk>/end/", views.end, name="end"),
]
