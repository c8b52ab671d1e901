from django.urls import include, path

from wuyi.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/claim/", views.claim, name="claim"),
    path("tasks/<int:pk>/claim-team/", views.claim_for_team, name="claim_team"),
    path("claims/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("claims/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("claims/<int:pk>/thank/", views.thank, name="thank"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("me/", views.me, name="me"),
    path("me/profile/", views.profile, name="profile"),
    path("me/notifications/read/", views.read_notifications, name="read_notifications"),
    path("team/", views.team, name="team"),
    path("team/create/", views.create_team, name="create_team"),
    path("team/<int:pk>/invite/", views.invite, name="invite"),
    path("team/<int:pk>/join/", views.join_team, name="join_team"),
    path("team/<int:pk>/accept/", views.accept_invitation, name="accept_invitation"),
    path("team/<int:pk>/leave/", views.leave_team, name="leave_team"),
    path("wishes/", views.my_wishes, name="my_wishes"),
    path("wishes/new/", views.new_wish, name="new_wish"),
    path("community/", views.workbench, name="workbench"),
    path("community/publish/", views.publish, name="publish"),
    path("community/wishes/<int:pk>/approve/", views.review, {"decision": "approve"}, name="approve_wish"),
    path("community/wishes/<int:pk>/reject/", views.review, {"decision": "reject"}, name="reject_wish"),
    path("calendar/", include("wuyi.volunteers.ical_urls")),  # the iCalendar feed, owned by ical_views.py
    path("stats/", include("wuyi.volunteers.stats_urls")),  # statistics (ECharts), owned by stats_views.py
]
