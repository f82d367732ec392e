"""The statistics pages come in the next commit."""

app_name = "stats"
urlpatterns = []
