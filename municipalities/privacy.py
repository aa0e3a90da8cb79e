"""Past the archive period (``qmi.privacy``), a municipality's application no longer names its
elected official and technical referent: their names, e-mail addresses and phones are blanked,
in the answers and in the versions filed; their offices stay. Registered from
``MunicipalitiesConfig.ready``."""

from django.db.models import Q

from calls.models import Application
from calls.privacy import anonymise_versions

from .models import MunicipalityApplication

PERSONAL_FIELDS = (
    "elected_name",
    "elected_email",
    "elected_phone",
    "referent_name",
    "referent_email",
    "referent_phone",
)


def archive(*, closed_before):
    old = Application.objects.filter(call__closes_at__lt=closed_before, municipality__isnull=False)
    named = MunicipalityApplication.objects.filter(application__in=old).filter(
        Q(*[~Q(**{field: ""}) for field in PERSONAL_FIELDS], _connector=Q.OR)
    )
    changed = named.update(**dict.fromkeys(PERSONAL_FIELDS, ""))
    return changed + anonymise_versions(old, fields=PERSONAL_FIELDS)
