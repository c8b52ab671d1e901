from wuyi.people import roster_views, views

app_name = "people"
urlpatterns = views.urlpatterns + roster_views.urlpatterns
