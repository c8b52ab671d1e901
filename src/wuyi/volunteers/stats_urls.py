from django.urls import path

urlpatterns: list = []  # filled by the statistics pages (stats_views.py)
