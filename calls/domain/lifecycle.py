"""The rules of applications, shared by both calls: starting a draft, saving it, attaching
files and moving it through the workflow. Views, admin actions and tasks call these."""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.domain import deadlines, notifications, versions
from calls.domain.fingerprint import fingerprint
from calls.domain.kinds import content_relations, hook, slot_for, spec_for
from calls.domain.workflow import MACHINE, STATES, TRANSITIONS, Status
from calls.models import (
    Application,
    Attachment,
    CorrectionRequest,
    Offer,
    ReferenceSequence,
)
from qmi import statemachine
from qmi.permissions import require
from qmi.uploads import delete_stored, keep_in_slot

# A change the workflow refuses; the message is meant for the user.
WorkflowError = statemachine.WorkflowError


class ApplicationExists(WorkflowError):
    def __init__(self, application):
        super().__init__(
            _("An application already exists for this call: %(reference)s."),
            params={"reference": application.reference},
        )
        self.application = application


def next_reference(call):
    """The next human reference of the call's edition and kind, e.g. ``QMI2-M-0007``.

    Must run inside a transaction: the sequence row is locked until it commits.
    """
    sequence, _created = ReferenceSequence.objects.get_or_create(
        edition_id=call.edition_id, kind=call.kind
    )
    sequence = ReferenceSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"QMI{call.edition.number}-{call.kind_letter}-{sequence.last:04d}"


def start_application(call, applicant, *, by, now=None, initial=None):
    """Create a draft application of ``applicant`` to ``call``, with its empty content.

    ``initial`` sets first values of the content (fields, or lists for many-to-many fields),
    e.g. the answers of an eligibility screening.

    Refused when the call is not open, when ``by`` is not a confirmed member, when the
    applicant is not of the kind the call is for, or (a kind that takes one application per
    applicant, such as the call for municipalities) when the applicant already has an active
    application to this call.
    """
    now = now or timezone.now()
    spec = spec_for(call.kind)
    if applicant.kind != spec.applicant_kind:
        raise WorkflowError(_("This call is not open to this kind of applicant."))
    require("calls.start_application", by, applicant)
    if not deadlines.open_for(call, applicant, now):
        raise WorkflowError(_("This call is not open for applications."))
    if spec.one_per_applicant:
        existing = Application.objects.active().filter(call=call, applicant=applicant).first()
        if existing:
            raise ApplicationExists(existing)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                call=call,
                kind=call.kind,
                applicant=applicant,
                created_by=by,
                reference=next_reference(call),
                one_per_applicant=spec.one_per_applicant,
            )
            model = apps.get_model(spec.content_model)
            values = dict(initial or {})
            many = {
                f.name: values.pop(f.name) for f in model._meta.many_to_many if f.name in values
            }
            content = model.objects.create(application=application, **values)
            for name, items in many.items():
                getattr(content, name).set(items)
    except IntegrityError:
        # Two colleagues clicked at the same moment: the other draft won.
        existing = Application.objects.active().filter(call=call, applicant=applicant).first()
        if existing:
            raise ApplicationExists(existing) from None
        raise
    return application


def drafts_to_continue(call, applicants, *, user):
    """The drafts of ``applicants`` in ``call`` that ``user`` may open, last changed first.

    Where an applicant may start several applications in one call, the start page lists
    them first, so that someone coming back continues a draft rather than starting another.
    """
    return list(
        Application.objects.visible_to(user)
        .filter(call=call, applicant__in=list(applicants), status=Status.DRAFT)
        .select_related("applicant", *content_relations())
        .order_by("-updated_at", "-pk")
        .distinct()
    )


def next_deadline(applicant_ids, now=None):
    """The application of ``applicant_ids`` still editable whose call closes first (its call
    loaded), or None."""
    if not applicant_ids:
        return None
    return (
        Application.objects.filter(
            applicant_id__in=applicant_ids,
            status__in=[s for s, state in STATES.items() if state.applicant_can_edit],
            call__closes_at__gt=now or timezone.now(),
        )
        .select_related("call")
        .order_by("call__closes_at")
        .first()
    )


def check_editable(application, *, by, now=None):
    """Raise unless ``by`` may change the answers of ``application`` now."""
    require("calls.edit_application", by, application)
    state = STATES[application.status]
    if not state.applicant_can_edit:
        raise WorkflowError(_("This application is no longer a draft: reopen it to edit it."))
    if not can_edit_now(application, now):
        if state.edit_until == "correction":
            raise WorkflowError(CORRECTION_DUE_PASSED)
        raise WorkflowError(_("The deadline has passed: the application can no longer be changed."))


def open_correction(application):
    """The correction request the applicant has still to answer, or None."""
    return application.open_correction()


def edit_deadline(application):
    """Until when the applicant's changes are accepted: the call's deadline, or — when staff
    requested a correction — the due date of that request (None when there is none)."""
    if STATES[application.status].edit_until == "correction":
        request = open_correction(application)
        return request.due_at if request else None
    return application.deadline


def can_edit_now(application, now=None):
    """True when the applicant may change the answers now (the state and its deadline)."""
    if not STATES[application.status].applicant_can_edit:
        return False
    now = now or timezone.now()
    if STATES[application.status].edit_until == "correction":
        deadline = edit_deadline(application)
        return deadline is not None and now <= deadline
    return application.is_open(now)


CORRECTION_DUE_PASSED = gettext_lazy(
    "The due date of the correction has passed: the application can no longer be changed."
)


def _check_correction_due(application, now):
    request = open_correction(application)
    if request is None or now > request.due_at:
        raise WorkflowError(CORRECTION_DUE_PASSED)


def missing_items(application):
    """What must still be filled before submitting, as (field name, message) pairs."""
    return application.content.missing_items()


def submission(application):
    """The name of the transition that files ``application`` from its state: "submit" for a
    draft, "resubmit" during a correction (None when neither applies)."""
    return next(
        (t.name for t in TRANSITIONS.values() if t.files and application.status in t.sources),
        None,
    )


def may_take(application, name, *, by, now=None):
    """True when ``by`` may take transition ``name`` on ``application`` now (for buttons)."""
    if name is None:
        return False
    try:
        _check_transition(application, TRANSITIONS[name], by=by, now=now or timezone.now())
    except (WorkflowError, PermissionDenied):
        return False
    return True


def _check_transition(application, transition, *, by, now, publishing=False):
    if transition.at_publication and not publishing:
        raise WorkflowError(_("A decision is applied only when the call's results are published."))
    MACHINE.check(application, transition.name, by=by, view_rule="calls.view_application")
    if transition.before_deadline and not application.is_open(now):
        raise WorkflowError(_("The deadline has passed: this is no longer possible."))
    if transition.before_correction_due:
        _check_correction_due(application, now)


def transition(application, name, *, by, note="", now=None, due_at=None, decision=None):
    """Move ``application`` through transition ``name`` — the one way a status changes.

    Checks the move is allowed (state, actor, deadline, completeness), saves the new status,
    records who/when/from/to/why, and asks for the notifications after commit.

    ``due_at``: the due date of a correction request ("request_correction"). ``decision``:
    the pending decision a decision transition ("select", "waitlist", "reject") applies; only
    the publication of the call's results passes it, so a decision never applies early.
    """
    transition = TRANSITIONS[name]
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
            .select_related("call__edition", "applicant")
            .get(pk=application.pk)
        )
        _check_transition(locked, transition, by=by, now=now, publishing=decision is not None)
        MACHINE.require_note(name, note)
        if transition.needs_due_date:
            if due_at is None:
                raise WorkflowError(_("A due date is required."))
            if due_at <= now:
                raise WorkflowError(_("The due date must be in the future."))
        if transition.needs_complete:
            missing = missing_items(locked)
            if missing:
                raise WorkflowError(
                    ngettext(
                        "The application is incomplete: %(count)d item missing.",
                        "The application is incomplete: %(count)d items missing.",
                        len(missing),
                    ),
                    params={"count": len(missing)},
                    code="incomplete",
                )
        previous = locked.status
        fields = []
        if transition.files:
            locked.submitted_at = now
            locked.submitted_by = by
            locked.fingerprint = fingerprint(locked)  # printed on the deposit receipt
            fields += ["submitted_at", "submitted_by", "fingerprint"]
        if previous == Status.CORRECTION_REQUESTED:
            # Resubmitted, or closed by staff (e.g. ineligible): the request is no longer open.
            CorrectionRequest.objects.filter(application=locked, resolved_at__isnull=True).update(
                resolved_at=now
            )
        MACHINE.move(locked, name, by=by, note=note, now=now, fields=fields)
        if transition.files:
            versions.snapshot(locked, now=now)
        if transition.opens_correction:
            CorrectionRequest.objects.create(
                application=locked, message=note, due_at=due_at, requested_by=by, requested_at=now
            )
        if transition.closes_offer:
            _close_offer(locked, by=by, note=note, now=now)
        run_hook = hook(locked.kind, transition.kind_hook) if transition.kind_hook else None
        if run_hook:
            run_hook(locked, by=by, note=note, now=now)
        notifications.on_transition(locked, name)
    application.refresh_from_db()
    return application


def _close_offer(application, *, by, note, now):
    """The laureate's place is given up (by its applicant, or recorded by staff): its offer is
    answered "declined", whatever its due date."""
    offer = Offer.objects.select_for_update().filter(application=application).first()
    if offer is not None and offer.waiting:
        offer.answer = Offer.Answer.DECLINED
        offer.answered_at = now
        offer.answered_by = by
        offer.note = note
        offer.save(update_fields=["answer", "answered_at", "answered_by", "note"])


def attach(application, slot, uploaded, *, by, kind=None, replace=None, now=None):
    """Validate ``uploaded`` and store it privately in ``slot``; replace what was there.

    ``kind`` ("pdf" or "image") and ``replace`` default to the slot declared by the kind of
    call (``KindSpec.attachment_slots``): a single PDF unless it says otherwise. A slot that
    takes several files refuses one more than its maximum.
    """
    check_editable(application, by=by, now=now)
    declared = slot_for(application.kind, slot)
    if kind is None:
        kind = declared.kind if declared else "pdf"
    with transaction.atomic():
        attachment = keep_in_slot(
            Attachment(application=application, slot=slot, uploaded_by=by),
            uploaded,
            kind=kind,
            siblings=application.attachments.filter(slot=slot),
            max_files=declared.max_files if declared else 1,
            replace=replace,
        )
        Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    return attachment


def remove_attachment(attachment, *, by, now=None):
    check_editable(attachment.application, by=by, now=now)
    delete_stored(attachment)
