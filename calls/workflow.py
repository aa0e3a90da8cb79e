"""The workflow of an application, declared as data and shared by both calls.

Each state has an internal label (what staff see), a public label (what the applicant sees
before results are published) and says whether the applicant may edit. Each transition names
the states it leaves from, the state it reaches, who may take it and whether the call's
deadline applies. ``calls.services.transition`` is the only code that changes a status.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    SELECTED = "selected", _("Selected")
    REJECTED = "rejected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Actor(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    STAFF = "staff", _("Paris&Co staff")


@dataclass(frozen=True)
class State:
    public_label: str
    applicant_can_edit: bool = False
    final: bool = False


UNDER_REVIEW = _("Under review")

STATES = {
    Status.DRAFT: State(public_label=_("Draft"), applicant_can_edit=True),
    Status.SUBMITTED: State(public_label=_("Submitted")),
    Status.ELIGIBLE: State(public_label=UNDER_REVIEW),
    Status.INELIGIBLE: State(public_label=UNDER_REVIEW),
    Status.SHORTLISTED: State(public_label=UNDER_REVIEW),
    Status.SELECTED: State(public_label=UNDER_REVIEW),
    Status.REJECTED: State(public_label=UNDER_REVIEW),
    Status.WITHDRAWN: State(public_label=_("Withdrawn"), final=True),
}


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    actor: str
    before_deadline: bool = False
    needs_complete: bool = False
    needs_note: bool = False


def _t(name, label, sources, target, actor, **kw):
    return Transition(name, label, frozenset(sources), target, actor, **kw)


TRANSITIONS = {
    t.name: t
    for t in [
        _t(
            "submit",
            _("Submit"),
            {Status.DRAFT},
            Status.SUBMITTED,
            Actor.APPLICANT,
            before_deadline=True,
            needs_complete=True,
        ),
        _t(
            "reopen",
            _("Reopen to edit"),
            {Status.SUBMITTED},
            Status.DRAFT,
            Actor.APPLICANT,
            before_deadline=True,
        ),
        _t(
            "withdraw",
            _("Withdraw"),
            {Status.DRAFT, Status.SUBMITTED},
            Status.WITHDRAWN,
            Actor.APPLICANT,
            before_deadline=True,
        ),
    ]
}
