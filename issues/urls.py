from django.urls import path

app_name = "issues"

urlpatterns: list = [
    # issues.views: report/new/, my/reports/, reports/nearby/
]
