from django.urls import path

from loyalty import views

app_name = "loyalty"

urlpatterns = [
    path("", views.my_points, name="my-points"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("funds/", views.funds, name="funds"),
    path("funds/<int:pk>/donate/", views.donate, name="donate"),
]
