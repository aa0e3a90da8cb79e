"""Rules of the municipality side."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from calls.domain.workflow import Status
from calls.models import Call
from qmi.models import Applicant
from qmi.permissions import require
from qmi.services import request_membership

from .models import Commune, InnovationDistrict


def commune_choices():
    """The member communes as ``(INSEE code, name)``, by name: what ``calls`` offers a
    municipality signing up to be kept informed (``calls.extensions.provide``)."""
    return list(Commune.objects.order_by("name").values_list("insee_code", "name"))


def applicant_for(commune):
    """The applicant that acts for ``commune``, created the first time someone asks."""
    if commune.applicant_id:
        return commune.applicant
    with transaction.atomic():
        commune = type(commune).objects.select_for_update().get(pk=commune.pk)
        if commune.applicant_id is None:
            commune.applicant = Applicant.objects.create(
                kind=Applicant.Kind.MUNICIPALITY, name=commune.name
            )
            commune.save(update_fields=["applicant"])
    return commune.applicant


def ask_to_act_for(commune, user, *, job_title="", note=""):
    """A user asks to act for a member commune; staff confirm it in the admin."""
    with transaction.atomic():
        return request_membership(applicant_for(commune), user, job_title=job_title, note=note)


class DistrictError(ValidationError):
    """A district that cannot be created; the message is meant for staff."""


def _unique_slug(name, commune):
    base = slugify(name)[:60].strip("-") or slugify(commune.name)
    slug, n = base, 2
    while InnovationDistrict.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_district_from_application(application, *, by):
    """Create the innovation district a municipality proposed in ``application``.

    Copies the proposal (name, key area, challenges, perimeter, offer) into a new district of
    the call's edition; staff can edit it afterwards. Idempotent: when the district of this
    application — or of this commune and edition — exists already, it is returned unchanged.
    Returns ``(district, created)``.
    """
    require("municipalities.create_district", by, application)
    if application.kind != Call.Kind.MUNICIPALITIES:
        raise DistrictError(
            _("%(reference)s is not a municipality application."),
            params={"reference": application.reference},
        )
    if application.status != Status.SELECTED:
        raise DistrictError(
            _(
                "%(reference)s is %(status)s: only a selected municipality's proposal becomes "
                "a district."
            ),
            params={
                "reference": application.reference,
                "status": application.get_status_display().lower(),
            },
        )
    with transaction.atomic():
        existing = InnovationDistrict.objects.filter(source_application=application).first()
        if existing:
            return existing, False
        proposal = application.municipality
        commune = Commune.objects.get(applicant_id=application.applicant_id)
        edition_id = application.call.edition_id
        existing = InnovationDistrict.objects.filter(commune=commune, edition_id=edition_id).first()
        if existing:
            return existing, False
        name = proposal.district_name or commune.name
        district = InnovationDistrict.objects.create(
            commune=commune,
            edition_id=edition_id,
            source_application=application,
            slug=_unique_slug(name, commune),
            name=name,
            key_area=proposal.key_area,
            perimeter=proposal.location,
            offer=proposal.offer,
        )
        district.challenges.set(proposal.challenges.all())
    return district, True


def place_selected(application, *, by, district=None):
    """At the publication of a call for municipalities, a selected municipality's proposal
    becomes an innovation district (``KindSpec.on_selected``; a municipality's decision has no
    ``district``). Returns 1 when it created the district, 0 when it existed."""
    _district, created = create_district_from_application(application, by=by)
    return int(created)


def withdraw_district(application, *, by, note="", now=None):
    """A selected municipality gave up its place (``KindSpec.on_declined``): the district
    created from its proposal is removed while it is unpublished and no call for experimenters
    covers it yet; once it is, staff decide what becomes of it."""
    InnovationDistrict.objects.filter(
        source_application=application, is_published=False, calls__isnull=True
    ).delete()
