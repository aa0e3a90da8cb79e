"""Checks of French company numbers, with messages a user understands."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siret


def normalize_siret(value):
    """The SIRET without the spaces, dots and dashes people type in it."""
    return siret.compact(value or "")


def validate_siret(value):
    """A SIRET is 14 digits whose checksum is right (the La Poste establishments, whose
    numbers follow their own rule, included)."""
    number = normalize_siret(value)
    try:
        siret.validate(number)
    except InvalidLength:
        raise ValidationError(
            _("A SIRET has 14 digits; this one has %(count)d."),
            params={"count": len(number)},
            code="siret_length",
        ) from None
    except InvalidFormat:
        raise ValidationError(
            _("A SIRET contains digits only (14 digits, e.g. 732 829 320 00074)."),
            code="siret_not_digits",
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            _(
                "This SIRET does not exist: its check digit is wrong. Copy it again from your "
                "Kbis extract or your INSEE registration notice."
            ),
            code="siret_checksum",
        ) from None
