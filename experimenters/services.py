"""Rules of the experimenter side: organisations, their ownership, and the eligibility screening
asked before a project application is started."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qmi.models import Applicant, Membership
from qmi.permissions import require

from .models import Organisation, ScreeningStage, StructureType
from .verification import verify_on_creation


class OrganisationError(ValidationError):
    """A change the rules refuse; the message is meant for the user."""


def _siret_taken():
    """The refusal of a SIRET already registered: the message of the model's unique check."""
    return OrganisationError(
        {"siret": Organisation._meta.get_field("siret").error_messages["unique"]}
    )


def create_organisation(*, by, **data):
    """Create an organisation and its applicant; ``by`` becomes its owner at once, pending
    until the organisation is verified (at once when ``by``'s address is of its website's
    domain, else by staff on a proof: ``experimenters.verification``). A SIRET belongs to one
    organisation only; its real company claims it when someone else registered it.
    """
    siret = data.get("siret")
    if siret and Organisation.objects.filter(siret=siret).exists():
        raise _siret_taken()
    try:
        with transaction.atomic():
            applicant = Applicant.objects.create(
                kind=Applicant.Kind.ORGANISATION, name=data["legal_name"]
            )
            organisation = Organisation(applicant=applicant, **data)
            organisation.full_clean()
            organisation.save()
            now = timezone.now()
            Membership.objects.create(
                applicant=applicant,
                user=by,
                role=Membership.Role.OWNER,
                confirmed_at=now,
                confirmed_by=by,
            )
            verify_on_creation(organisation, by=by)
    except IntegrityError:
        # Someone registered the same SIRET at the same moment.
        if siret and Organisation.objects.filter(siret=siret).exists():
            raise _siret_taken() from None
        raise
    return organisation


def update_organisation(organisation, *, by, **data):
    """A confirmed member changes the profile; the applicant's name follows the legal name."""
    require("qmi.act_for", by, organisation)
    for name, value in data.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        Applicant.objects.filter(pk=organisation.applicant_id).update(name=organisation.legal_name)
    return organisation


def transfer_ownership(organisation, *, to, by):
    """The owner hands the organisation over to ``to``, a confirmed member, and stays a
    member. Exactly one owner afterwards."""
    with transaction.atomic():
        memberships = {
            m.user_id: m
            for m in Membership.objects.select_for_update().filter(
                applicant_id=organisation.applicant_id
            )
        }
        # The rule ``qmi.own``, read again under the lock: two owners never hand over at once.
        current = memberships.get(by.pk)
        if current is None or not current.is_confirmed or current.role != Membership.Role.OWNER:
            raise PermissionDenied
        target = memberships.get(to.pk)
        if target is None or not target.is_confirmed:
            raise OrganisationError(
                _("%(email)s is not a confirmed member of %(name)s: invite them first."),
                params={"email": to.email, "name": organisation.legal_name},
            )
        if target.pk == current.pk:
            raise OrganisationError(
                _("You already own %(name)s."), params={"name": organisation.legal_name}
            )
        Membership.objects.filter(applicant_id=organisation.applicant_id).exclude(
            pk=target.pk
        ).update(role=Membership.Role.MEMBER)
        Membership.objects.filter(pk=target.pk).update(role=Membership.Role.OWNER)
    return target


# The eligibility screening, as data: each rule reads the answers and, when it fails, gives
# the reason the applicant reads.

ELIGIBLE_STRUCTURES = frozenset(StructureType.values)


@dataclass(frozen=True)
class Rule:
    passes: object  # answers -> bool
    reason: str


SCREENING_RULES = (
    Rule(
        lambda a: a.get("structure_type") in ELIGIBLE_STRUCTURES,
        gettext_lazy(
            "The call is open to startups, associations, SMEs and similar structures. Large "
            "companies and public bodies cannot apply themselves, but they can take part in a "
            "project as a partner."
        ),
    ),
    Rule(
        lambda a: a.get("stage") != ScreeningStage.IDEA,
        gettext_lazy(
            "The solution must already be a prototype: something built and tested at least "
            "once. An idea or a design is too early for this call — the programme's other "
            "calls and Paris&Co's incubators can help you get there."
        ),
    ),
    Rule(
        lambda a: a.get("stage") != ScreeningStage.PRODUCT,
        gettext_lazy(
            "The call is for solutions still at prototype stage: a finished product or "
            "service does not need an experimentation to be developed."
        ),
    ),
    Rule(
        lambda a: not a.get("commercialised"),
        gettext_lazy(
            "The solution must not be commercialised yet: the programme helps innovations "
            "test themselves in real conditions before they reach the market."
        ),
    ),
    Rule(
        lambda a: bool(a.get("challenges")),
        gettext_lazy(
            "The project must address at least one of the eight urban challenges of the programme."
        ),
    ),
    Rule(
        lambda a: bool(a.get("can_deploy")),
        gettext_lazy(
            "The organisation must be able to deploy the solution in Île-de-France during the "
            "whole experimentation period."
        ),
    ),
)


def screen(answers):
    """The reasons why these screening answers do not qualify; an empty list when they do.

    ``answers``: ``structure_type``, ``stage`` (a ``ScreeningStage``), ``commercialised``,
    ``challenges`` (a list) and ``can_deploy``.
    """
    return [str(rule.reason) for rule in SCREENING_RULES if not rule.passes(answers)]


def initial_content(answers):
    """What the screening answers put in a new project application (kept for staff)."""
    return {
        "screening_structure_type": answers["structure_type"],
        "screening_stage": answers["stage"],
        "screening_commercialised": bool(answers["commercialised"]),
        "screening_can_deploy": bool(answers["can_deploy"]),
        "screened_at": timezone.now(),
        "challenges": list(answers["challenges"]),
    }


def public_context(call):
    """What the public page of a call for experimenters lists: the innovation districts it
    covers (a wave), in one query."""
    return {"districts": call.districts.published().select_related("commune").order_by("name")}
