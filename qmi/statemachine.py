"""The one engine that moves anything with a workflow declared as data: an application through
its screening (``calls.domain.workflow``), an experimentation through its two years
(``experimenters.experimentation``).

A workflow is a ``Machine``: its states (``label``, ``public_label``), its transitions (any
object with ``name``, ``label``, ``sources``, ``target``, ``rule``, ``refusal`` and
``needs_note``) and the history model that records each move (who, when, from, to, why).
``Machine.check`` refuses a move from another state, by a user the transition's rule
(``qmi.rules``) refuses, or without the reason it needs; ``Machine.move`` then changes the
status and writes the history row. The caller locks the row and adds its own checks (the
application's deadline, completeness, files) around these two steps.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .permissions import allowed


class WorkflowError(ValidationError):
    """A move the workflow refuses; the message is meant for the user."""


class Machine:
    """A workflow: ``states`` by value, ``transitions`` by name, and the history model
    (``"app_label.Model"``) whose ``subject`` foreign key points at the moving object."""

    def __init__(
        self, *, states, transitions, history, subject, wrong_state, status_field="status"
    ):
        self.states = states
        self.transitions = transitions
        self.history = history
        self.subject = subject
        self.wrong_state = wrong_state  # "This … is %(status)s: “%(action)s” is not possible."
        self.status_field = status_field

    def status_of(self, obj):
        return getattr(obj, self.status_field)

    def check(self, obj, name, *, by, note=None, view_rule=None):
        """Raise unless ``by`` may take transition ``name`` on ``obj`` now. ``note`` is
        checked when given (None: not yet known, e.g. for a button). A user who passes
        ``view_rule`` on ``obj`` but not the transition's rule reads its ``refusal``."""
        transition = self.transitions[name]
        status = self.status_of(obj)
        if status not in transition.sources:
            display = getattr(obj, f"get_{self.status_field}_display")()
            raise WorkflowError(
                self.wrong_state,
                params={"status": display.lower(), "action": transition.label},
            )
        if not allowed(transition.rule, by, obj):
            if transition.refusal and view_rule and allowed(view_rule, by, obj):
                refusal = transition.refusal
                raise WorkflowError(refusal(by, obj) if callable(refusal) else refusal)
            raise PermissionDenied
        if note is not None:
            self.require_note(name, note)
        return transition

    def require_note(self, name, note):
        """Raise when transition ``name`` needs a reason and ``note`` gives none."""
        if self.transitions[name].needs_note and not (note or "").strip():
            raise WorkflowError(_("A reason is required."))

    def move(self, obj, name, *, by, note, now, fields=()):
        """Set ``obj``'s status to the transition's target, save it (with ``fields``) and
        record the move. Call it on a locked row, after ``check``."""
        transition = self.transitions[name]
        previous = self.status_of(obj)
        setattr(obj, self.status_field, transition.target)
        update = [self.status_field, *fields]
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            update.append("updated_at")
        obj.save(update_fields=update)
        apps.get_model(self.history).objects.create(
            **{self.subject: obj},
            transition=name,
            from_status=previous,
            to_status=transition.target,
            by=by,
            at=now,
            note=note,
        )
        return previous
