"""The indicators an experimentation declared during its follow-up, as the assessment's
protocol starts from them (provided to other apps as ``"experimentation:indicators"``)."""

from decimal import Decimal, InvalidOperation

from ..models import ReportIndicator, ReportStatus


def _number(text):
    cleaned = (text or "").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    try:
        return Decimal(cleaned.replace(",", "."))
    except (InvalidOperation, ValueError):
        return None


def declared_indicators(experimentation_id):
    """Each indicator of the filed reports of the experimentation, once by name, as last
    filed: ``[{name, unit, baseline, target, measured, method}]`` (numbers or None)."""
    rows = (
        ReportIndicator.objects.filter(
            report__experimentation_id=experimentation_id,
            report__submitted_at__isnull=False,
        )
        .exclude(report__status=ReportStatus.DRAFT)
        .order_by("report__due_at", "pk")
        .values("name", "unit", "baseline", "target", "value", "method")
    )
    declared = {}
    for row in rows:
        name = row["name"].strip()
        if name:
            declared[name.casefold()] = {
                "name": name,
                "unit": row["unit"],
                "baseline": _number(row["baseline"]),
                "target": _number(row["target"]),
                "measured": _number(row["value"]),
                "method": row["method"],
            }
    return list(declared.values())
