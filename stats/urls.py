from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("", views.city, name="city"),
    path("okrug/<int:okrug_id>/", views.okrug, name="okrug"),
    path("district/<int:district_id>/", views.district, name="district"),
    path("org/<int:org_id>/", views.org, name="org"),
    path("districts.geojson", views.districts_geojson, name="districts-geojson"),
    path("export/<slug:table>.<slug:fmt>", views.download, name="export"),
    path("api/city/", views.api_scope, {"kind": "city"}, name="api-city"),
    path("api/okrug/<int:pk>/", views.api_scope, {"kind": "okrug"}, name="api-okrug"),
    path("api/district/<int:pk>/", views.api_scope, {"kind": "district"}, name="api-district"),
    path("api/org/<int:pk>/", views.api_scope, {"kind": "org"}, name="api-org"),
    path("api/districts/", views.api_table, {"table": "districts"}, name="api-districts"),
    path("api/organizations/", views.api_table, {"table": "organizations"}, name="api-organizations"),
    path("api/reports/", views.api_reports, name="api-reports"),
]
