from django.urls import path

from wuyi.access import views

app_name = "access"
urlpatterns = [
    path("code/", views.my_code, name="my_code"),
    path("visits/new/", views.register_visit, name="register_visit"),
    path("visits/<int:pk>/", views.visit, name="visit"),
    path("gate/", views.my_gate, name="my_gate"),
    path("gate/<str:code>/", views.gate, name="gate"),
    path("gate/<str:code>/visitor/", views.gate_visit, name="gate_visit"),
    path("paper/<int:pk>/", views.paper_pass, name="paper_pass"),
    path("workers/new/", views.worker_code, name="worker_code"),
    path("log/gate/<str:code>/", views.log, {"level": "gate"}, name="gate_log"),
    path("log/compound/<str:code>/", views.log, {"level": "compound"}, name="compound_log"),
]
