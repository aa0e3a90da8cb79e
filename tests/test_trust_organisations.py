"""Who speaks for an organisation: its creator is a pending owner until it is verified (by its
e-mail domain, or by staff on a proof); a company whose SIRET someone else registered claims
it; staff settle the claim and both sides are told."""

import pytest
from django.core import mail
from django.urls import reverse

from calls.domain import lifecycle
from calls.domain.lifecycle import WorkflowError
from calls.domain.workflow import Status
from experimenters import verification
from experimenters.models import Organisation, OrganisationProof, OwnershipClaim
from experimenters.services import create_organisation
from qmi.models import Applicant, Membership
from tests.factories import (
    OrganisationFactory,
    ProjectApplicationFactory,
    StaffFactory,
    UserFactory,
    member_of,
    pdf_upload,
    siret_for,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("email", "website", "matches"),
    [
        ("lea@urbanlab.fr", "https://www.urbanlab.fr/", True),
        ("lea@urbanlab.fr", "urbanlab.fr", True),
        ("lea@paris.urbanlab.fr", "https://urbanlab.fr", True),
        ("lea@urbanlab.fr", "https://shop.urbanlab.fr", True),
        ("lea@urbanlab.fr", "https://urbanlab.com", False),
        ("lea@noturbanlab.fr", "https://urbanlab.fr", False),
        ("lea@gmail.com", "https://gmail.com", False),
        ("lea@urbanlab.fr", "", False),
    ],
)
def test_the_e_mail_domain_matches_the_website_only_when_it_is_the_organisations(
    email, website, matches
):
    assert verification.domain_matches(email, website) is matches


def _profile(**overrides):
    return {
        "legal_name": "Urbanlab",
        "siret": siret_for(901),
        "structure_type": "startup",
        "created_on": "2021-03-01",
        "headcount": 6,
        "address": "10 rue de l'Innovation",
        "postal_code": "75011",
        "city": "Paris",
        "website": "https://www.urbanlab.fr",
        "description": "Des capteurs.",
        **overrides,
    }


def test_a_creator_with_the_organisations_address_is_verified_at_once():
    organisation = create_organisation(by=UserFactory(email="lea@urbanlab.fr"), **_profile())
    applicant = Applicant.objects.get(pk=organisation.applicant_id)
    assert applicant.verification == Applicant.Verification.EMAIL_DOMAIN
    assert not applicant.awaits_verification


def test_another_creator_is_a_pending_owner_who_drafts_but_cannot_submit(in_english):
    owner = UserFactory(email="lea@gmail.com")
    organisation = create_organisation(by=owner, **_profile())
    project = ProjectApplicationFactory(organisation=organisation, complete=True)

    with pytest.raises(WorkflowError) as refused:
        lifecycle.transition(project, "submit", by=owner)

    assert "waiting to be verified by Paris&Co" in str(refused.value.messages[0])
    project.refresh_from_db()
    assert project.status == Status.DRAFT
    in_english.force_login(owner)
    page = in_english.get(project.urls.review).content.decode()
    assert "Your organisation is waiting for verification" in page


def test_a_member_sends_a_proof_and_staff_verify_from_the_admin(
    in_english, client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(verified=False)
    owner = organisation.owner()
    colleague = member_of(organisation)
    in_english.force_login(owner)
    page = in_english.get(organisation.get_absolute_url()).content.decode()
    assert "Waiting for verification by Paris" in page

    in_english.post(
        reverse("experimenters:proof", kwargs={"pk": organisation.pk}),
        {"proof": pdf_upload("kbis.pdf")},
    )
    assert organisation.proofs.get().original_name == "kbis.pdf"

    mail.outbox.clear()
    client.force_login(StaffFactory())
    changelist = reverse("admin:experimenters_organisation_changelist")
    assert organisation.legal_name in client.get(changelist, {"verified": "no"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            changelist, {"action": "verify_selected", "_selected_action": [organisation.pk]}
        )

    organisation.applicant.refresh_from_db()
    assert organisation.applicant.verification == Applicant.Verification.STAFF
    assert sorted(mail.outbox[0].to) == sorted([owner.email, colleague.email])
    project = ProjectApplicationFactory(organisation=organisation, complete=True)
    lifecycle.transition(project, "submit", by=owner)
    assert project.status == Status.SUBMITTED


def test_only_members_send_proofs_and_only_staff_read_them(client):
    organisation = OrganisationFactory(verified=False)
    client.force_login(UserFactory())
    response = client.post(
        reverse("experimenters:proof", kwargs={"pk": organisation.pk}),
        {"proof": pdf_upload("kbis.pdf")},
    )
    assert response.status_code == 404
    assert not OrganisationProof.objects.exists()
    proof = verification.add_proof(organisation, pdf_upload(), by=organisation.owner())
    client.force_login(organisation.owner())
    url = reverse("admin:experimenters_organisation_proof", args=[proof.pk])
    assert client.get(url).status_code == 302  # the admin is staff only


def test_a_taken_siret_leads_to_a_claim_that_staff_grant(
    in_english, client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    squatter = organisation.owner()
    real = UserFactory(email="presidente@urbanlab.fr")
    in_english.force_login(real)

    form = in_english.post(
        reverse("experimenters:create"), _profile(siret=organisation.siret)
    ).content.decode()
    assert reverse("experimenters:claim") in form
    response = in_english.post(
        reverse("experimenters:claim"),
        {
            "siret": organisation.siret,
            "job_title": "Présidente",
            "message": "Notre SIRET.",
            "proof": pdf_upload("sirene.pdf"),
        },
    )
    assert "Claim sent" in response.content.decode()
    claim = OwnershipClaim.objects.get()
    assert (claim.claimant, claim.outcome) == (real, OwnershipClaim.Outcome.OPEN)

    mail.outbox.clear()
    client.force_login(StaffFactory())
    change = reverse("admin:experimenters_ownershipclaim_change", args=[claim.pk])
    assert "sirene.pdf" in client.get(change).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            change, {"decision": "granted", "reason": "Avis SIRENE au nom de la présidente."}
        )

    claim.refresh_from_db()
    assert claim.outcome == OwnershipClaim.Outcome.GRANTED
    assert organisation.owner() == real
    assert Membership.objects.get(applicant=organisation.applicant, user=squatter).role == "member"
    assert sorted(mail.outbox[0].to) == sorted([real.email, squatter.email])
    assert "Avis SIRENE au nom de la présidente." in mail.outbox[0].body


def test_a_claim_refused_changes_nothing_and_a_decision_needs_a_reason(client):
    organisation = OrganisationFactory()
    owner = organisation.owner()
    claim = verification.claim(
        organisation, by=UserFactory(), job_title="CEO", message="À moi.", uploaded=pdf_upload()
    )
    client.force_login(StaffFactory())
    change = reverse("admin:experimenters_ownershipclaim_change", args=[claim.pk])

    response = client.post(change, {"decision": "refused", "reason": "  "})
    assert response.status_code == 200  # the form again, with the error on the reason
    claim.refresh_from_db()
    assert claim.outcome == OwnershipClaim.Outcome.OPEN

    client.post(change, {"decision": "refused", "reason": "Aucun lien établi."})
    claim.refresh_from_db()
    assert claim.outcome == OwnershipClaim.Outcome.REFUSED
    assert organisation.owner() == owner


def test_a_claim_on_an_unknown_siret_says_so_and_saves_nothing(in_english):
    in_english.force_login(UserFactory())
    response = in_english.post(
        reverse("experimenters:claim"),
        {
            "siret": siret_for(777),
            "job_title": "CEO",
            "message": "?",
            "proof": pdf_upload(),
        },
    )
    assert response.status_code == 400
    assert "No organisation is registered with this SIRET" in response.content.decode()
    assert not OwnershipClaim.objects.exists()
    assert Organisation.objects.count() == 0


def test_reopening_is_for_the_owner_only(in_english):
    organisation = OrganisationFactory()
    project = ProjectApplicationFactory(organisation=organisation, complete=True)
    lifecycle.transition(project, "submit", by=organisation.owner())
    colleague = member_of(organisation)

    with pytest.raises(WorkflowError) as refused:
        lifecycle.transition(project, "reopen", by=colleague)

    assert "Only the owner of the organisation can reopen" in str(refused.value.messages[0])
    lifecycle.transition(project, "reopen", by=organisation.owner())
    assert project.status == Status.DRAFT
