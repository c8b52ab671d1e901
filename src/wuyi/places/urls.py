from django.urls import path

from wuyi.places import views

app_name = "places"
urlpatterns = [
    path("", views.city, name="city"),
    path("a/<str:code>/", views.area, name="area"),
    path("c/<str:code>/", views.compound, name="compound"),
    path("b/<str:code>/", views.building, name="building"),
    path("h/<str:code>/", views.household, name="household"),
    path("options/", views.options, name="options"),
]
