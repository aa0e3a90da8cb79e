"""The experimentation of a selected project: its workflow as data, the one function that moves
it (on the engine of ``qmi.statemachine``), its creation at the publication of the results and
the documents of its agreement.

    agreement ──sign──▶ preparation ──deploy──▶ deployment ──start──▶ running ──end──▶ ended
                                                                      │ ▲                 │
                                                            suspend ──┘ └── resume     assess
                                                                                          ▼
    agreement | preparation | deployment | running | suspended ──abandon (reason)──▶ abandoned

``deploy`` needs every document of the agreement accepted by staff: the signed three-party
agreement, the insurance certificate and any document the edition adds
(``ProgrammeSettings.extra_documents``). ``start`` and ``end`` record the actual dates.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qmi.models import Membership
from qmi.permissions import require
from qmi.statemachine import Machine, WorkflowError
from qmi.uploads import store_upload

from . import reports
from .models import (
    AgreementDocument,
    Experimentation,
    ExperimentationStatus,
    ProgrammeSettings,
    add_months,
)

Status = ExperimentationStatus
STEER = "experimenters.steer_experimentation"


@dataclass(frozen=True)
class State:
    public_label: str  # what the experimenter and the municipality read


STATES = {
    Status.AGREEMENT: State(gettext_lazy("Agreement being signed")),
    Status.PREPARATION: State(gettext_lazy("Being prepared")),
    Status.DEPLOYMENT: State(gettext_lazy("Being deployed")),
    Status.RUNNING: State(gettext_lazy("Running")),
    Status.ENDED: State(gettext_lazy("Ended")),
    Status.ASSESSED: State(gettext_lazy("Ended and assessed")),
    Status.SUSPENDED: State(gettext_lazy("Paused")),
    Status.ABANDONED: State(gettext_lazy("Stopped")),
}


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: frozenset
    target: str
    rule: str = STEER
    refusal: str = ""
    needs_note: bool = False
    needs_documents: bool = False  # every document of the agreement accepted
    starts: bool = False  # records the actual start
    ends: bool = False  # records the actual end


def _step(name, label, sources, target, **kw):
    return Step(name, label, frozenset(sources), target, **kw)


TRANSITIONS = {
    s.name: s
    for s in [
        _step("sign", gettext_lazy("Agreement signed"), {Status.AGREEMENT}, Status.PREPARATION),
        _step(
            "deploy",
            gettext_lazy("Start the deployment"),
            {Status.PREPARATION},
            Status.DEPLOYMENT,
            needs_documents=True,
        ),
        _step(
            "start",
            gettext_lazy("Start the experimentation"),
            {Status.DEPLOYMENT},
            Status.RUNNING,
            starts=True,
        ),
        _step(
            "suspend",
            gettext_lazy("Suspend"),
            {Status.RUNNING},
            Status.SUSPENDED,
            needs_note=True,
        ),
        _step("resume", gettext_lazy("Resume"), {Status.SUSPENDED}, Status.RUNNING),
        _step(
            "end",
            gettext_lazy("End the experimentation"),
            {Status.RUNNING},
            Status.ENDED,
            ends=True,
        ),
        _step("assess", gettext_lazy("Mark assessed"), {Status.ENDED}, Status.ASSESSED),
        _step(
            "abandon",
            gettext_lazy("Abandon"),
            {
                Status.AGREEMENT,
                Status.PREPARATION,
                Status.DEPLOYMENT,
                Status.RUNNING,
                Status.SUSPENDED,
            },
            Status.ABANDONED,
            needs_note=True,
        ),
    ]
}

MACHINE = Machine(
    states=STATES,
    transitions=TRANSITIONS,
    history="experimenters.ExperimentationStatusChange",
    subject="experimentation",
    wrong_state=gettext_lazy("This experimentation is %(status)s: “%(action)s” is not possible."),
)

# The documents every agreement needs, by key; an edition adds its own (by their label).
BASE_DOCUMENTS = {
    "agreement": gettext_lazy("Signed three-party agreement"),
    "insurance": gettext_lazy("Insurance certificate"),
}
# Until when the experimenter uploads the agreement's documents.
DOCUMENTS_OPEN = (Status.AGREEMENT, Status.PREPARATION)


def public_label(experimentation):
    return STATES[experimentation.status].public_label


def required_documents(edition):
    """``{key: label}`` of the documents the agreement needs, in the order to show them."""
    documents = dict(BASE_DOCUMENTS)
    for line in ProgrammeSettings.for_edition(edition).extra_documents.splitlines():
        if line.strip():
            documents[line.strip()[:120]] = line.strip()[:120]
    return documents


def documents_of(experimentation, required=None):
    """``[(key, label, latest upload or None)]`` for each required document (``required``:
    ``required_documents`` of its edition, when the caller already has them)."""
    latest = {}
    for document in experimentation.documents.all():  # newest first (Meta.ordering)
        latest.setdefault(document.kind, document)
    if required is None:
        required = required_documents(experimentation.application.call.edition)
    return [(key, label, latest.get(key)) for key, label in required.items()]


def missing_documents(experimentation, required=None):
    """The labels of the required documents whose latest upload is not accepted."""
    return [
        str(label)
        for _key, label, document in documents_of(experimentation, required)
        if document is None or document.state != AgreementDocument.State.ACCEPTED
    ]


def followed_by(user):
    """The experimentations ``user`` follows: those of the organisations and of the
    municipalities hosting the districts they are a confirmed member of (what the rule
    ``experimenters.view_experimentation`` grants, staff aside)."""
    applicants = Membership.objects.confirmed().filter(user=user).values("applicant_id")
    return Experimentation.objects.filter(
        Q(application__applicant_id__in=applicants)
        | Q(district__commune__applicant_id__in=applicants)
    )


def create_for(application, *, district, by, today=None):
    """The experimentation of a selected project, created once (at the publication of the
    results: ``KindSpec.on_selected``); planned from ``today`` for the edition's length."""
    existing = Experimentation.objects.filter(application=application).first()
    if existing:
        return existing, False
    start = today or timezone.localdate()
    months = ProgrammeSettings.for_edition(application.call.edition).duration_months
    experimentation = Experimentation.objects.create(
        application=application,
        district=district,
        planned_start=start,
        planned_end=add_months(start, months),
    )
    reports.schedule(experimentation)
    return experimentation, True


def on_selected(application, *, by, district=None):
    """Publication hook of the call for experimenters: the project's experimentation."""
    if district is None:
        return 0
    create_for(application, district=district, by=by)
    return 0  # no innovation district created


def on_declined(application, *, by, note="", now=None):
    """The laureate gave up its place (``KindSpec.on_declined``): its experimentation, not
    started, is abandoned with that reason — recorded, not deleted."""
    experimentation = (
        Experimentation.objects.select_for_update().filter(application=application).first()
    )
    if experimentation is None or experimentation.status not in TRANSITIONS["abandon"].sources:
        return
    reason = note or _("The laureate declined its place.")
    MACHINE.move(experimentation, "abandon", by=by, note=reason, now=now or timezone.now())


def transition(experimentation, name, *, by, note="", now=None):
    """Move ``experimentation`` through transition ``name`` — the one way its status changes."""
    step = TRANSITIONS[name]
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Experimentation.objects.select_for_update()
            .select_related("application__call__edition", "application__applicant", "district")
            .get(pk=experimentation.pk)
        )
        MACHINE.check(locked, name, by=by, note=note)
        fields = []
        if step.needs_documents:
            missing = missing_documents(locked)
            if missing:
                raise WorkflowError(
                    _("Documents of the agreement not accepted yet: %(documents)s."),
                    params={"documents": ", ".join(missing)},
                )
        if step.starts:
            locked.actual_start = timezone.localdate(now)
            fields.append("actual_start")
        if step.ends:
            locked.actual_end = timezone.localdate(now)
            fields.append("actual_end")
        MACHINE.move(locked, name, by=by, note=note, now=now, fields=fields)
        if step.starts:
            reports.schedule(locked)  # due dates count from the actual start
    experimentation.refresh_from_db()
    return experimentation


def upload_document(experimentation, key, uploaded, *, by, now=None):
    """The experimenter uploads document ``key`` of the agreement (a checked PDF, kept
    privately); it replaces nothing: staff see the latest one of each kind."""
    require("experimenters.upload_agreement", by, experimentation)
    if experimentation.status not in DOCUMENTS_OPEN:
        raise WorkflowError(_("The agreement is complete: its documents can no longer change."))
    if key not in required_documents(experimentation.application.call.edition):
        raise WorkflowError(_("This document is not asked for."))
    document = AgreementDocument(
        experimentation=experimentation,
        kind=key,
        uploaded_by=by,
        uploaded_at=now or timezone.now(),
    )
    store_upload(document, uploaded, kind="pdf")
    document.save()
    return document


def review_document(document, *, accept, by, note="", now=None):
    """Staff accept a document, or ask for a new version saying what to change."""
    require("experimenters.check_documents", by, document.experimentation)
    if not accept and not note.strip():
        raise WorkflowError(_("Say what to change in the new version."))
    document.state = (
        AgreementDocument.State.ACCEPTED if accept else AgreementDocument.State.NEW_VERSION
    )
    document.review_note = "" if accept else note.strip()
    document.reviewed_by = by
    document.reviewed_at = now or timezone.now()
    document.save(update_fields=["state", "review_note", "reviewed_by", "reviewed_at"])
    return document
