from django.urls import path

from places import views

app_name = "places"

urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
    path("reverse/", views.reverse_geocode, name="reverse"),
]
