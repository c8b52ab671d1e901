"""The calendar feed's route, included by volunteers/urls.py under ``calendar/``."""

from django.urls import path

from wuyi.volunteers import ical_views

urlpatterns = [
    path("<str:token>.ics", ical_views.calendar, name="calendar"),
]
