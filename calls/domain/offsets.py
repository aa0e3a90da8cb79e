"""Reminder offsets of a call: how long before ``closes_at`` the drafts are reminded.

Staff write them as a comma-separated list of days (``d``) or hours (``h``), e.g.
``14d, 7d, 2d, 1d`` or ``3d, 12h``. They are kept in hours, the unit of ``ReminderSent.offset``.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

DEFAULT_OFFSETS = "14d, 7d, 2d, 1d"
MAX_OFFSET_HOURS = 365 * 24
_ITEM = re.compile(r"^(\d{1,4})\s*([dh])$")


def parse_offsets(value):
    """The offsets of ``value`` in hours, largest first, without duplicates.

    Raises ``ValidationError`` on anything else than ``<number>d`` or ``<number>h`` items.
    """
    hours = set()
    for item in (value or "").split(","):
        item = item.strip().lower()
        if not item:
            continue
        match = _ITEM.match(item)
        if not match:
            raise ValidationError(
                _("“%(item)s” is not an offset: write e.g. 14d for 14 days or 12h for 12 hours."),
                params={"item": item},
                code="invalid_offset",
            )
        number = int(match.group(1)) * (24 if match.group(2) == "d" else 1)
        if not 0 < number <= MAX_OFFSET_HOURS:
            raise ValidationError(
                _("An offset is between one hour and one year."), code="offset_range"
            )
        hours.add(number)
    return sorted(hours, reverse=True)


def validate_offsets(value):
    parse_offsets(value)


def offset_label(hours):
    """``14 days before`` / ``12 hours before``, for staff."""
    if hours % 24 == 0:
        days = hours // 24
        return ngettext("%(n)d day before", "%(n)d days before", days) % {"n": days}
    return ngettext("%(n)d hour before", "%(n)d hours before", hours) % {"n": hours}
