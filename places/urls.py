from django.urls import path

app_name = "places"

urlpatterns: list = [
    # places.views: suggest/ and reverse/ (address search and reverse geocoding)
]
