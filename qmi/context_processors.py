"""What every page of the portal needs. No database query here: it runs on every page."""

from django.conf import settings

SITE_NAME = "QMI"


def portal(request):
    return {
        "site_name": SITE_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "accessibility_email": settings.ACCESSIBILITY_EMAIL,
    }
