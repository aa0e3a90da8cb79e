"""The common grid, filled separately by each party, and what each may read.

A side is complete when every criterion has a score on its scale and a justification; the
experimenter's side also needs a value measured for each indicator of its protocol and the
outcome of the solution (with why, when it stopped). A complete side is submitted once,
before the party's close; then it no longer changes.

No party reads another's answers before submitting its own. A party that has submitted reads
the sides already submitted; staff read the three side by side once the campaign has closed.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Assessment, AssessmentSide, GridAnswer, GridCriterion, Outcome, Party
from .campaign import closes_at_for, is_open_for

GAP = 2  # scores this far apart (or more) between two parties are highlighted


def criteria_of(campaign):
    return list(
        GridCriterion.objects.filter(axis__campaign=campaign)
        .select_related("axis")
        .order_by("axis__position", "axis_id", "position", "pk")
    )


def side_for(assessment, party):
    """The side of ``party`` (created empty the first time), with an answer per criterion."""
    side, _created = AssessmentSide.objects.get_or_create(assessment=assessment, party=party)
    have = set(side.answers.values_list("criterion_id", flat=True))
    missing = [c for c in criteria_of(assessment.campaign) if c.pk not in have]
    if missing:
        GridAnswer.objects.bulk_create(
            [GridAnswer(side=side, criterion=c) for c in missing], ignore_conflicts=True
        )
    return side


def answers_of(side):
    return list(
        side.answers.select_related("criterion__axis").order_by(
            "criterion__axis__position", "criterion__axis_id", "criterion__position", "criterion_id"
        )
    )


def missing_items(side, *, answers=None, indicators=None):
    """``[(field, message)]`` still needed before ``side`` can be submitted; the field is
    ``answer-<criterion id>-score`` / ``-justification``, ``indicator-<id>``, or an outcome
    field, so the form shows each message next to its field."""
    missing = []
    for answer in answers if answers is not None else answers_of(side):
        key = f"answer-{answer.criterion_id}"
        if answer.score is None:
            missing.append(
                (
                    f"{key}-score",
                    _("Give a score to “%(criterion)s”.")
                    % {"criterion": answer.criterion.localized_title},
                )
            )
        elif not 1 <= answer.score <= answer.criterion.scale_max:
            missing.append(
                (
                    f"{key}-score",
                    _("The score of “%(criterion)s” is between 1 and %(max)d.")
                    % {
                        "criterion": answer.criterion.localized_title,
                        "max": answer.criterion.scale_max,
                    },
                )
            )
        if not answer.justification.strip():
            missing.append(
                (
                    f"{key}-justification",
                    _("Justify the score of “%(criterion)s”.")
                    % {"criterion": answer.criterion.localized_title},
                )
            )
    if side.party == Party.EXPERIMENTER:
        assessment = side.assessment
        rows = indicators if indicators is not None else list(assessment.indicators.all())
        if not rows:
            missing.append(("indicators", _("Declare at least one indicator of your protocol.")))
        for indicator in rows:
            if indicator.measured is None:
                missing.append(
                    (
                        f"indicator-{indicator.pk}",
                        _("Give the value measured for “%(indicator)s”.")
                        % {"indicator": indicator.name},
                    )
                )
        if not assessment.outcome:
            missing.append(("outcome", _("Say what became of the solution.")))
        elif assessment.outcome == Outcome.STOPPED and not assessment.outcome_details.strip():
            missing.append(("outcome_details", _("Say why the solution stopped.")))
    return missing


def check_editable(side, now=None):
    """Raise ``PermissionDenied`` with the reason when ``side`` can no longer change."""
    if side.is_submitted:
        raise PermissionDenied(_("This side was submitted: it no longer changes."))
    assessment = side.assessment
    now = now or timezone.now()
    if now < assessment.campaign.opens_at:
        raise PermissionDenied(_("The assessment has not opened yet."))
    if not is_open_for(assessment, side.party, now):
        raise PermissionDenied(
            _("The assessment closed on %(date)s: ask Paris&Co for an extension.")
            % {
                "date": timezone.localtime(closes_at_for(assessment, side.party)).strftime(
                    "%d/%m/%Y %H:%M"
                )
            }
        )


def submit(side, *, by, now=None):
    """Submit ``side`` once: refused after the party's close or while something is missing
    (``ValidationError`` with each missing item keyed by its field)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = AssessmentSide.objects.select_for_update().get(pk=side.pk)
        locked.assessment = (
            Assessment.objects.select_related("campaign")
            .prefetch_related("extensions")
            .get(pk=locked.assessment_id)
        )
        check_editable(locked, now)
        missing = missing_items(locked)
        if missing:
            raise ValidationError(dict(missing))
        locked.submitted_at = now
        locked.submitted_by = by
        locked.save(update_fields=["submitted_at", "submitted_by", "updated_at"])
    return locked


def readable_sides(assessment, party):
    """The other sides ``party`` may read: none before its own is submitted; then those
    submitted."""
    sides = {s.party: s for s in assessment.sides.all()}
    own = sides.get(party)
    if own is None or not own.is_submitted:
        return []
    return [s for p, s in sides.items() if p != party and s.is_submitted]


def staff_may_compare(assessment, now=None):
    """Staff read the three sides side by side once the project manager's side has closed:
    the campaign's close, or the manager's extension — a project manager is staff, and must
    not read the others before submitting their own."""
    return (now or timezone.now()) > closes_at_for(assessment, Party.MANAGER)


def gaps(scores):
    """Whether the scores given by the parties to one criterion (``{party: score}``, missing
    ones omitted) are ``GAP`` or more apart."""
    values = [v for v in scores.values() if v is not None]
    return len(values) > 1 and max(values) - min(values) >= GAP
