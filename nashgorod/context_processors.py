from django.conf import settings


def portal(request):
    return {"PORTAL_NAME": "Наш город", "MAP_TILES_ATTRIBUTION": settings.MAP_TILES_ATTRIBUTION}
