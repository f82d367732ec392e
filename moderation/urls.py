from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("queues/<slug:slug>/", views.queue, name="queue"),
    path("reports/<int:pk>/", views.report_page, name="report"),
]
