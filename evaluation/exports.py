"""What the evaluation exports.

The jury's scores as columns of the table exports (``calls.interfaces.exports``, CSV and
XLSX) — staff only: a jury member's export of their own dossiers
never carries the other members' scores.
Computed once per export for all its applications (``ranking.scores_for``, for those with a
counted review: the others show none), so the columns cost a few queries whatever the number
of rows.

The declarations of interests as a CSV file (one row per declaration: small, built in the
request).
"""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from calls.interfaces.exports import neutralise
from calls.models import Application
from qmi.permissions import allowed

from . import ranking
from .models import Decision, Review


def _round(value):
    return "" if value is None else round(value, 2)


def score_columns(job, ids):
    if job is None or not allowed("evaluation.export_scores", job.requested_by):
        return []
    # Scored: the applications with a counted review (the others have none to show)
    reviewed = Review.objects.counted().filter(assignment__application_id__in=ids)
    pairs = Application.objects.filter(
        pk__in=reviewed.values("assignment__application_id")
    ).values_list("pk", "call_id")
    scores = ranking.scores_for(pairs)
    decisions = dict(
        Decision.objects.filter(application_id__in=ids).values_list("application_id", "outcome")
    )
    labels = {value: str(label) for value, label in Decision.Outcome.choices}

    def read(attribute):
        return lambda a: _round(getattr(scores.get(a.pk), attribute, None))

    return [
        (_("Jury: reviews counted"), lambda a: scores[a.pk].reviews if a.pk in scores else 0),
        (_("Jury: mean"), read("mean")),
        (_("Jury: median"), read("median")),
        (_("Jury: normalised mean"), read("normalised")),
        (_("Jury: spread (standard deviation)"), read("spread")),
        (
            _("Jury: disagreement"),
            lambda a: _("yes") if a.pk in scores and scores[a.pk].flagged else "",
        ),
        (_("Decision"), lambda a: labels.get(decisions.get(a.pk), "")),
    ]


def declarations_csv(declarations, *, filename):
    """A CSV response listing ``declarations`` (cells neutralised for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        [
            _("Reference"),
            _("Applicant"),
            _("Jury member"),
            _("Conflict of interest"),
            _("Reason"),
            _("Declared at (Paris time)"),
        ]
    )
    for d in declarations:
        writer.writerow(
            [
                neutralise(value)
                for value in (
                    d.assignment.application.reference,
                    d.assignment.application.applicant.name,
                    d.assignment.jury_member.user.email,
                    _("yes") if d.has_conflict else _("no"),
                    d.reason,
                    date_format(timezone.localtime(d.declared_at), "Y-m-d H:i:s"),
                )
            ]
        )
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
