from django.urls import path

from wuyi.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.home, name="home"),
    path("workers/", views.workers, name="workers"),
    path("workers/new/", views.worker_new, name="worker_new"),
    path("workers/<int:pk>/", views.worker_edit, name="worker"),
    path("groups/", views.groups, name="groups"),
    path("groups/<int:pk>/", views.group, name="group"),
    path("teams/", views.teams, name="teams"),
    path("party/", views.party, name="party"),
    path("party/<int:pk>/", views.organisation, name="organisation"),
    path("party/<int:pk>/members/<int:member>/remove/", views.remove_member, name="remove_member"),
    path("shifts/", views.shifts, name="shifts"),
    path("shifts/<int:pk>/remove/", views.remove_shift, name="remove_shift"),
    path("coverage/", views.coverage, name="coverage"),
    path("import/", views.import_workers, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("centres/", views.centres, name="centres"),
    path("centres/<str:code>/", views.centre, name="centre"),
    path("centres/<str:code>/activate/", views.centre_activate, name="centre_activate"),
    path("centres/<str:code>/supplies/", views.supply_add, name="supply_add"),
    path("centres/<str:code>/supplies/<int:pk>/", views.stock_move, name="stock_move"),
]
