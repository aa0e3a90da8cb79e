"""Rules of the municipality side."""

from django.db import transaction

from qmi.models import Applicant
from qmi.services import request_membership


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
