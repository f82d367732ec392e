from django.urls import path

from issues import views

app_name = "issues"

urlpatterns = [
    path("report/new/", views.report_new, name="report-new"),
    path("report/photo-gps/", views.photo_gps, name="photo-gps"),
    path("reports/nearby/", views.nearby, name="nearby"),
    path("reports/<int:pk>/follow/", views.follow, name="follow"),
    path("reports/<int:pk>/verdict/", views.verdict, name="verdict"),
    path("my/reports/", views.my_reports, name="my-reports"),
]
