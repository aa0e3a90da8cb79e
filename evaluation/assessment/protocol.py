"""Level 1: the experimenter's own protocol — the indicators it committed to, measured.

The protocol starts from the indicators declared in the follow-up's reports (provided by the
experimentations as ``"experimentation:indicators"``); the experimenter completes it, adds
indicators, gives the values measured and attaches the evidence.

Achievement is computed, never typed: the share of the way from the baseline to the target
that the measure covers — ``(measured − baseline) / (target − baseline)`` — so an indicator
meant to go down (waste, travel time) is read the same way as one meant to go up. Without a
baseline it is ``measured / target``. It is not capped: 130 % means the target was exceeded.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from calls.extensions import provided

from ..models import ProtocolIndicator

REACHED = Decimal(100)
PARTLY = Decimal(50)


@dataclass(frozen=True)
class Achievement:
    percent: Decimal | None  # None: cannot be computed (no target, no measure, no way to go)

    @property
    def level(self):
        if self.percent is None:
            return "unknown"
        if self.percent >= REACHED:
            return "reached"
        if self.percent >= PARTLY:
            return "partly"
        return "missed"

    @property
    def label(self):
        return LEVEL_LABELS[self.level]

    def __str__(self):
        return "—" if self.percent is None else f"{self.percent} %"


LEVEL_LABELS = {
    "reached": _("Target reached"),
    "partly": _("Half-way or more"),
    "missed": _("Less than half-way"),
    "unknown": _("Cannot be computed"),
}


def achievement(indicator):
    """The achievement of ``indicator`` (any object with baseline, target and measured)."""
    measured, target, baseline = indicator.measured, indicator.target, indicator.baseline
    if measured is None or target is None:
        return Achievement(None)
    start = baseline if baseline is not None else Decimal(0)
    way = Decimal(target) - Decimal(start)
    if way == 0:
        return Achievement(None)
    percent = (Decimal(measured) - Decimal(start)) / way * 100
    return Achievement(percent.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def start_protocol(assessment):
    """Give ``assessment`` the indicators declared during the follow-up, unless it has some
    already (idempotent)."""
    if assessment.indicators.exists():
        return []
    declared = provided("experimentation:indicators", assessment.experimentation_id, default=[])
    return ProtocolIndicator.objects.bulk_create(
        ProtocolIndicator(
            assessment=assessment,
            name=row["name"][:200],
            unit=(row.get("unit") or "")[:40],
            baseline=row.get("baseline"),
            target=row.get("target"),
            measured=row.get("measured"),
            method=(row.get("method") or "")[:300],
            source=ProtocolIndicator.Source.FOLLOW_UP,
            position=position,
        )
        for position, row in enumerate(declared, start=1)
    )
