from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from nashgorod import views

admin.site.site_header = "Наш город: администрирование"
admin.site.site_title = "Наш город"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("health/minimal/", views.minimal, name="minimal"),
    path("accounts/", include("accounts.urls")),
    path("places/", include("places.urls")),
    path("", include("issues.urls")),
    path("", include("issues.urls_public")),
    path("moderation/", include("moderation.urls")),
    path("office/", include("backoffice.urls")),
    path("notifications/", include("notifications.urls")),
    path("stats/", include("stats.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("points/", include("loyalty.urls")),
    path("api/v1/", include("api.urls")),
    path("open311/v2/", include("open311.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
