from django import template

from calls.domain.workflow import Status

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]``, or an empty list when absent (for attachments by slot)."""
    return mapping.get(key, []) if mapping else []


# While the applicant can still do something about the application before the call's
# deadline: edit, submit, reopen or withdraw it.
_ACTING_BEFORE_DEADLINE = {Status.DRAFT, Status.SUBMITTED}


@register.filter
def shows_call_deadline(application):
    """Whether the review page shows the call's deadline and the time left: only while the
    applicant can still act. A correction has its own due date (the correction notice): the
    call's deadline is shown then only if the call is still open. A withdrawn application or
    one under review: no deadline."""
    if application.status in _ACTING_BEFORE_DEADLINE:
        return True
    if application.status == Status.CORRECTION_REQUESTED:
        return not application.deadline_passed()
    return False


@register.filter
def shows_submission_date(application, history=None):
    """Whether "submitted on …" applies: the application was submitted and is not a draft
    again. ``submitted_at`` stays after a reopening, so a withdrawn application counts only
    when it was withdrawn while submitted (the last withdrawal in ``history``, the status
    changes of the application)."""
    if application.submitted_at is None or application.status == Status.DRAFT:
        return False
    if application.status == Status.WITHDRAWN:
        withdrawals = [c for c in (history or ()) if c.to_status == Status.WITHDRAWN]
        return bool(withdrawals) and withdrawals[-1].from_status != Status.DRAFT
    return True
