"""Bilingual content edited by staff: a French field and an optional ``<field>_en``."""

from django.utils.translation import get_language


def localized(obj, field):
    """The English text of ``field`` when the page is in English and it exists, else French."""
    if (get_language() or "fr").startswith("en"):
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, field)
