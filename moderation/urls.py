from django.urls import path

from moderation import inspections, views

app_name = "moderation"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("queues/<slug:slug>/", views.queue, name="queue"),
    path("reports/<int:pk>/", views.report_page, name="report"),
    path("reports/<int:pk>/<slug:action>/", views.act, name="act"),
    path("requests/<int:pk>/", views.decide, name="decide"),
    path("organizations/", views.organizations, name="organizations"),
    path("inspections/<int:pk>/<slug:action>/", inspections.decide_inspection, name="inspection"),
    path("applications/<int:pk>/", inspections.decide_application, name="application"),
    path("volunteers/", inspections.volunteers, name="volunteers"),
    path("volunteers/<int:pk>/", inspections.volunteer_status, name="volunteer"),
]
