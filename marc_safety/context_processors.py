from django.conf import settings


def site(request):
    return {
        "PEER_SUPPORT_LINE": settings.PEER_SUPPORT_LINE,
        "SITE_NAME": "MARC Safety Portal",
    }
