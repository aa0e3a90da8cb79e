"""The workflow of an application, declared as data and shared by both calls.

Each state has an internal label (what staff see), a public label (what the applicant sees
before results are published) and says whether the applicant may edit. Each transition names
the states it leaves from, the state it reaches, the rule the user must pass to take it
(``calls.rules``), where it is offered (the applicant's pages or the staff admin) and whether
the call's deadline applies. ``calls.domain.lifecycle.transition`` is the only code that
changes a status.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from qmi.permissions import allowed
from qmi.statemachine import Machine


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    SELECTED = "selected", _("Selected")
    REJECTED = "rejected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    DECLINED = "declined", _("Place declined")


class Actor(models.TextChoices):
    """Where a transition is offered; who may take it is its ``rule``."""

    APPLICANT = "applicant", _("Applicant")
    STAFF = "staff", _("Paris&Co staff")


@dataclass(frozen=True)
class State:
    public_label: str
    applicant_can_edit: bool = False
    final: bool = False
    # Until when the applicant may edit: "call" (its deadline) or "correction" (the due date
    # of the open correction request).
    edit_until: str = "call"


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
    Status.WAITLISTED: State(public_label=UNDER_REVIEW),
    Status.CORRECTION_REQUESTED: State(
        public_label=_("Correction requested"), applicant_can_edit=True, edit_until="correction"
    ),
    # A laureate gave up its place (after the results): the place is free for the waiting list
    Status.DECLINED: State(public_label=_("Place declined"), final=True),
}

# Decisions are shown to the applicant only once the call's results are published.
DECISIONS = (Status.SELECTED, Status.WAITLISTED, Status.REJECTED, Status.INELIGIBLE)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    actor: str  # where it is offered: the applicant's pages or the staff admin
    rule: str  # the rule (``calls.rules``) the user must pass
    before_deadline: bool = False
    needs_complete: bool = False
    needs_note: bool = False
    before_correction_due: bool = False  # refused after the open correction's due date
    needs_due_date: bool = False  # a due date is given (correction requests)
    at_publication: bool = False  # a decision: applied only when the call's results are published
    # what a member of the applicant who fails the rule reads (others get a PermissionDenied):
    # a text, or a function ``(user, application)`` answering one
    refusal: object = ""
    files: bool = False  # files the answers: submission time, author, fingerprint, version
    # opens a correction request: its message (the note) is what to correct, sent to the
    # applicant with the due date
    opens_correction: bool = False
    # the message every member of the applicant receives when it is taken (e.g. the
    # acknowledgement of a submission; a withdrawal; a reopening), built by ``qmi.mail``
    tells_members: str = ""
    # offered as a bulk action on the staff's list of applications; False where a service
    # with its own checks takes it (the promotion from the waiting list, in rank order)
    bulk: bool = True
    # closes the laureate's offer of a place as declined (``calls.models.Offer``)
    closes_offer: bool = False
    # the hook of the kind (``KindSpec``) run inside the transition, e.g. "on_declined"
    kind_hook: str = ""


ONLY_THE_OWNER_SUBMITS = _("Only the owner of the organisation can submit.")


def submit_refusal(user, application):
    """Why a member cannot submit: not the owner, or the organisation not verified yet."""
    if allowed("qmi.own", user, application) and application.applicant.awaits_verification:
        return _(
            "Your organisation is waiting to be verified by Paris&Co. You can prepare the "
            "application now; you can submit it once the organisation is verified."
        )
    return ONLY_THE_OWNER_SUBMITS


SCREEN = "calls.screen_application"


def _t(name, label, sources, target, actor, *, rule, **kw):
    return Transition(name, label, frozenset(sources), target, actor, rule, **kw)


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
            rule="calls.commit_application",
            refusal=submit_refusal,
            files=True,
            tells_members="acknowledgement",
        ),
        _t(
            "reopen",
            _("Reopen to edit"),
            {Status.SUBMITTED},
            Status.DRAFT,
            Actor.APPLICANT,
            rule="calls.reopen_application",
            before_deadline=True,
            refusal=_("Only the owner of the organisation can reopen the application."),
            tells_members="application_reopened",
        ),
        _t(
            "withdraw",
            _("Withdraw"),
            {Status.DRAFT, Status.SUBMITTED},
            Status.WITHDRAWN,
            Actor.APPLICANT,
            before_deadline=True,
            rule="calls.withdraw_application",  # irreversible
            refusal=_("Only the owner of the organisation can withdraw the application."),
            tells_members="application_withdrawn",
        ),
        # Staff screening
        _t(
            "mark_eligible",
            _("Mark eligible"),
            {Status.SUBMITTED},
            Status.ELIGIBLE,
            Actor.STAFF,
            rule=SCREEN,
        ),
        _t(
            "mark_ineligible",
            _("Mark ineligible"),
            {Status.SUBMITTED, Status.CORRECTION_REQUESTED},
            Status.INELIGIBLE,
            Actor.STAFF,
            rule=SCREEN,
            needs_note=True,
        ),
        _t(
            "shortlist",
            _("Shortlist"),
            {Status.ELIGIBLE},
            Status.SHORTLISTED,
            Actor.STAFF,
            rule=SCREEN,
        ),
        _t(
            "request_correction",
            _("Request a correction"),
            {Status.SUBMITTED, Status.ELIGIBLE},
            Status.CORRECTION_REQUESTED,
            Actor.STAFF,
            rule=SCREEN,
            needs_note=True,
            needs_due_date=True,
            opens_correction=True,
        ),
        _t(
            "resubmit",
            _("Submit the corrected application"),
            {Status.CORRECTION_REQUESTED},
            Status.SUBMITTED,
            Actor.APPLICANT,
            needs_complete=True,
            before_correction_due=True,
            rule="calls.commit_application",
            refusal=submit_refusal,
            files=True,
            tells_members="acknowledgement",
        ),
        # Decisions: recorded by staff as pending, applied by ``publish_results`` only
        _t(
            "select",
            _("Select"),
            {Status.SHORTLISTED},
            Status.SELECTED,
            Actor.STAFF,
            rule="calls.decide_application",
            at_publication=True,
        ),
        _t(
            "waitlist",
            _("Put on the waiting list"),
            {Status.SHORTLISTED},
            Status.WAITLISTED,
            Actor.STAFF,
            rule="calls.decide_application",
            at_publication=True,
        ),
        _t(
            "reject",
            _("Do not select"),
            {Status.ELIGIBLE, Status.SHORTLISTED},
            Status.REJECTED,
            Actor.STAFF,
            rule="calls.decide_application",
            at_publication=True,
        ),
        # After the results: a laureate answers its offer of a place; the waiting list moves up
        _t(
            "decline",
            _("Decline the place"),
            {Status.SELECTED},
            Status.DECLINED,
            Actor.APPLICANT,
            rule="calls.answer_offer",
            refusal=_("Only the owner of the organisation can answer for it."),
            tells_members="place_declined",
            closes_offer=True,
            kind_hook="on_declined",
        ),
        _t(
            "record_decline",
            _("Record that the laureate gives up its place"),
            {Status.SELECTED},
            Status.DECLINED,
            Actor.STAFF,
            rule="calls.decide_application",
            needs_note=True,
            tells_members="place_declined",
            closes_offer=True,
            kind_hook="on_declined",
        ),
        _t(
            "promote",
            _("Offer a freed place"),
            {Status.WAITLISTED},
            Status.SELECTED,
            Actor.STAFF,
            rule="calls.decide_application",
            bulk=False,  # ``evaluation.waitlist.promote``: in rank order, the caps checked
            tells_members="decision_promoted",
        ),
    ]
}

# The transition that applies each decision outcome at publication.
DECISION_TRANSITIONS = {
    Status.SELECTED: "select",
    Status.WAITLISTED: "waitlist",
    Status.REJECTED: "reject",
}


# The engine (``qmi.statemachine``) that checks and records every move of an application.
MACHINE = Machine(
    states=STATES,
    transitions=TRANSITIONS,
    history="calls.StatusChange",
    subject="application",
    wrong_state=_("This application is %(status)s: “%(action)s” is not possible."),
)
