from django.urls import path

from wuyi.health import views

app_name = "health"
urlpatterns = [
    path("risk/", views.risk, name="risk"),
    path("risk/publish/", views.publish_list, name="publish"),
    path("", views.workbench, name="workbench"),
    path("search/", views.search, name="search"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/case/", views.record_case, name="record_case"),
    path("people/<int:pk>/order/", views.issue_order, name="issue_order"),
    path("people/<int:pk>/test/", views.record_test, name="record_test"),
    path("people/<int:pk>/flag/", views.raise_flag, name="raise_flag"),
    path("flags/<int:pk>/clear/", views.clear_flag, name="clear_flag"),
    path("orders/<int:pk>/release/", views.release_order, name="release_order"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/contact/", views.link_contact, name="link_contact"),
    path("cases/<int:pk>/outcome/", views.case_outcome, name="case_outcome"),
    path("clusters/<int:pk>/confirm/", views.decide_cluster, {"decision": "confirm"}, name="confirm_cluster"),
    path("clusters/<int:pk>/dismiss/", views.decide_cluster, {"decision": "dismiss"}, name="dismiss_cluster"),
    path("compounds/<str:code>/", views.compound, name="compound"),
    path("missed/", views.missed, name="missed"),
    path("me/", views.me, name="me"),
    path("me/report/", views.daily_report, name="daily_report"),
]
