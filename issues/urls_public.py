from django.urls import path

from issues import views_public

app_name = "public"

urlpatterns = [
    path("map/", views_public.map_page, name="map"),
    path("map/data/", views_public.map_data, name="map-data"),
    path("reports/<int:report_id>/", views_public.report_page, name="report"),
]
