from django.conf import settings

from accounts.roles import capabilities


def portal(request):
    user = getattr(request, "user", None)
    return {
        "PORTAL_NAME": "Наш город",
        "MAP_TILES_ATTRIBUTION": settings.MAP_TILES_ATTRIBUTION,
        # What the navigation offers: {% if "moderate" in caps %} …
        "caps": {str(c) for c in capabilities(user)},
    }
