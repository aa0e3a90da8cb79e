"""Each kind of call plugs its content model and its form into the shared envelope.

``calls`` knows nothing of municipalities or experimenters: their apps register here when
Django starts (``AppConfig.ready``).
"""

from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class KindSpec:
    """Everything the shared mechanisms ask a kind of call, so that none of them branches on a
    kind's name. Dotted paths are imported when first used, not when the kind registers."""

    kind: str
    content_model: str  # "app_label.Model", one-to-one with Application
    related_name: str  # the reverse accessor from Application to the content
    form_class: str  # dotted path of the draft form
    edit_template: str
    summary_template: str
    applicant_kind: str  # qmi.Applicant.Kind value that may apply
    reference_letter: str  # in the human reference of its applications: QMI2-<letter>-0007
    admin_inline: str = ""  # dotted path of the read-only inline of the content
    prefetch: tuple = ()  # what missing_items() reads, to prefetch on lists
    stepped: bool = False  # True: the form is filled one section per page
    screening_form: str = ""  # dotted path of a short eligibility form asked before a draft
    no_applicant_url: str = ""  # URL name where a user who acts for nobody yet starts
    no_applicant_message: str = ""  # what that user is told on the way there
    attachment_slots: tuple = ()  # AttachmentSlot of each kind of file the form takes
    admin_actions: tuple = ()  # dotted paths of admin actions on the applications of the kind
    admin_filters: tuple = ()  # list_filter entries the staff list of applications adds
    admin_search_fields: tuple = ()  # search_fields the staff list of applications adds
    # Applying
    # The profiles of "keep me informed" contacts told when a call of the kind opens
    # (``calls.models.Contact.Profile`` values; "other" is told of every call)
    contact_profiles: tuple = ()
    one_per_applicant: bool = False  # at most one active application per applicant and call
    sample_answers: str = ""  # dotted path: function(content) filling every answer (demo, tests)
    # Where the programme happens: ORM path from Application to the innovation districts the
    # application concerns (jury members limited to districts, exports filtered by district)
    districts_lookup: str = ""
    # Selection: a decision to select places the application in one of the call's districts
    decision_needs_district: bool = False
    # The call's ``max_selected`` caps its selection at publication; False where each
    # district's capacity is the cap (the call for experimenters)
    capped_per_call: bool = True
    # ORM path from Application to its ranked wishes of districts (rows with ``district`` and
    # ``rank``, 1 = first wish): the placement assistant proposes among them
    wishes_lookup: str = ""
    # Dotted path: function(application, *, by, district) run at publication for each selected
    # application (``district``: the decision's); returns how many innovation districts it
    # created (the call for experimenters: the project's experimentation, none)
    on_selected: str = ""
    # Dotted path: function(application, *, by, note, now) run when a laureate gives up its
    # place (the call for experimenters: its experimentation is abandoned)
    on_declined: str = ""
    # Dotted path: function(application) for a selected application, once the results are
    # published: its next steps, a list of (text, URL or "") (the municipality's innovation
    # district; the project's experimentation)
    next_steps: str = ""
    # Public pages: the call's page adds what ``public_context(call)`` returns (dotted path of a
    # function returning a dict) to its template's context; the published results list the
    # selected applications with ``results_template``, in ``results_order`` (ORM order of the
    # decisions), reading ``results_related`` too (ORM paths from the decision), grouped by
    # district where a decision needs one
    public_context: str = ""
    results_template: str = ""
    results_order: tuple = ()
    results_related: tuple = ()


@dataclass(frozen=True)
class AttachmentSlot:
    """A kind of file an application takes: checked as ``kind`` ("pdf" or "image"); a new
    upload replaces the previous one when ``max_files`` is 1, else adds up to ``max_files``.
    ``required``: the message shown while the slot is empty, for a file needed to submit.
    ``label``: how people read the slot (documents), e.g. "Pitch deck" for ``pitch_deck``."""

    name: str
    kind: str = "pdf"
    max_files: int = 1
    required: str = ""
    label: str = ""


_REGISTRY: dict[str, KindSpec] = {}


def register(spec: KindSpec):
    _REGISTRY[spec.kind] = spec


def spec_for(kind) -> KindSpec:
    return _REGISTRY[kind]


def specs():
    """Every registered kind of call."""
    return list(_REGISTRY.values())


def content_relations():
    """The accessor from ``Application`` to its content, for every kind (to select/prefetch
    the content of applications of any kind)."""
    return sorted(spec.related_name for spec in _REGISTRY.values())


def slot_for(kind, name):
    """The ``AttachmentSlot`` ``name`` declared by the kind of call, or None."""
    return next((s for s in spec_for(kind).attachment_slots if s.name == name), None)


def slot_label(kind, name):
    """How people read the slot ``name`` of the kind of call: its declared label, else the
    name made readable."""
    slot = slot_for(kind, name)
    return (slot.label if slot else "") or name.replace("_", " ").capitalize()


def content_for(application):
    return getattr(application, spec_for(application.kind).related_name)


def form_class_for(kind):
    return import_string(spec_for(kind).form_class)


def hook(kind, name):
    """The function a kind declares under ``name`` (a dotted path of its spec), or None."""
    path = getattr(spec_for(kind), name)
    return import_string(path) if path else None


def required_slots(kind):
    """The attachment slots that must hold a file before an application of ``kind`` is
    submitted."""
    return [slot for slot in spec_for(kind).attachment_slots if slot.required]


def list_prefetches():
    """Everything the kinds' ``missing_items`` read, for applications listed together."""
    return sorted({p for spec in _REGISTRY.values() for p in spec.prefetch})


def progress(application, missing):
    """Sections of the application's form and which are complete, given its missing items.

    Returns ``{"done": int, "total": int, "sections": [(key, title, complete), ...]}``.
    """
    form_class = form_class_for(application.kind)
    missing_sections = {form_class.section_of(name) for name, _message in missing}
    sections = [
        (key, title, key not in missing_sections) for key, title, _names in form_class.SECTIONS
    ]
    return {
        "done": sum(1 for s in sections if s[2]),
        "total": len(sections),
        "sections": sections,
    }
