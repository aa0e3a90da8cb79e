"""The reports of an experimentation, on the mechanisms of the applications: the schedule of
an edition and the due dates it gives each experimentation, the one function that moves a
report (``qmi.statemachine``), the checks before filing, the files (``qmi.uploads``), the
versions (``calls.domain.versions``) and the reminders before each due date and once late
(a source of ``calls.domain.reminders``, exactly once per report, due date and offset).

    draft ──submit──▶ submitted ──accept──▶ accepted
                        │   ▲
      request_changes ──┘   └── submit (again, before the new due date or late)
           ▼
    changes_requested

A report falls due once its experimentation has started: until then its due date is planned
from the planned start, and nobody is reminded. A report filed after its due date is accepted
and shown as late; the members of the organisation are reminded before the due date and told
once when it has passed.
"""

from qmi.statemachine import WorkflowError

from .filing import (
    MACHINE,
    REVIEW,
    TRANSITIONS,
    WRITE,
    Status,
    as_filed,
    attach,
    can_edit,
    changes_notice,
    check_editable,
    filed_data,
    last_change_request,
    last_changes,
    may_take,
    missing_items,
    remove_file,
    report_url,
    submitted_notice,
    transition,
)
from .reminding import current_offset, due, send_many, send_one
from .schedule import (
    DEFAULT_SCHEDULE,
    due_at_for,
    late,
    reports_of,
    reschedule_edition,
    schedule,
    schedule_of,
    to_write_by,
    with_report_dates,
)

__all__ = [
    "DEFAULT_SCHEDULE",
    "MACHINE",
    "REVIEW",
    "TRANSITIONS",
    "WRITE",
    "Status",
    "WorkflowError",
    "as_filed",
    "attach",
    "can_edit",
    "changes_notice",
    "check_editable",
    "current_offset",
    "due",
    "due_at_for",
    "filed_data",
    "last_change_request",
    "last_changes",
    "late",
    "may_take",
    "missing_items",
    "remove_file",
    "report_url",
    "reports_of",
    "reschedule_edition",
    "schedule",
    "schedule_of",
    "send_many",
    "send_one",
    "to_write_by",
    "submitted_notice",
    "transition",
    "with_report_dates",
]
