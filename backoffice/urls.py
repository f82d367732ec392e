from django.urls import path

from backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/answer/", views.answer, name="answer"),
    path("reports/<int:report_id>/redirect/", views.request_redirect, name="request-redirect"),
    path("reports/<int:report_id>/postpone/", views.request_postponement, name="request-postponement"),
]
