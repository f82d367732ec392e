from django.urls import path

app_name = "public"

urlpatterns: list = [
    # issues.views_public: map/, map/data/, reports/<id>/
]
