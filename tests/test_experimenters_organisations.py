"""Organisations: SIRET, foreign entities, creation, profile, members and ownership transfer."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from experimenters.forms import OrganisationForm
from experimenters.models import Organisation
from experimenters.services import OrganisationError, create_organisation, transfer_ownership
from experimenters.validators import validate_siret
from qmi.models import Applicant, Membership
from tests.factories import OrganisationFactory, UserFactory, member_of, siret_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages are checked in English, whatever catalogues exist."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


LA_POSTE_HEAD_OFFICE = "35600000000048"  # valid by the Luhn rule
LA_POSTE_ESTABLISHMENT = "35600000049837"  # not Luhn: sum of digits is a multiple of 5


def _profile(**overrides):
    data = {
        "legal_name": "Urbanlab",
        "structure_type": "startup",
        "is_foreign": "no",
        "siret": "732 829 320 00074",
        "country": "FR",
        "registration_number": "",
        "created_on": "2021-03-01",
        "headcount": "6",
        "address": "10 rue de l'Innovation",
        "postal_code": "75011",
        "city": "Paris",
        "website": "https://urbanlab.example",
        "description": "Des capteurs pour rafraîchir les cours d'école.",
    }
    data.update(overrides)
    return data


def _codes(error):
    return [e.code for e in error.error_list]


# SIRET validation


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("7328293200007", "siret_length"),
        ("732829320000745", "siret_length"),
        ("73282932000A74", "siret_not_digits"),
        ("73282932000075", "siret_checksum"),
        ("35600000049838", "siret_checksum"),
    ],
)
def test_validate_siret_invalid_gives_a_clear_reason(value, code):
    with pytest.raises(ValidationError) as error:
        validate_siret(value)

    assert _codes(error.value) == [code]


@pytest.mark.parametrize(
    "value",
    ["73282932000074", "732 829 320 00074", LA_POSTE_HEAD_OFFICE, LA_POSTE_ESTABLISHMENT],
)
def test_validate_siret_valid_numbers_pass(value):
    assert validate_siret(value) is None


def test_organisation_form_normalises_the_siret_spaces():
    form = OrganisationForm(_profile(siret="732 829 320 00074"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["siret"] == "73282932000074"


def test_organisation_form_la_poste_establishment_is_accepted():
    form = OrganisationForm(_profile(siret=LA_POSTE_ESTABLISHMENT))

    assert form.is_valid(), form.errors


def test_organisation_form_invalid_siret_refused_with_message():
    form = OrganisationForm(_profile(siret="73282932000075"))

    assert not form.is_valid()
    assert form.errors["siret"] == [
        "This SIRET does not exist: its check digit is wrong. Copy it again from your Kbis "
        "extract or your INSEE registration notice."
    ]


def test_organisation_form_duplicate_siret_refused_with_invitation_hint():
    OrganisationFactory(siret="73282932000074")

    form = OrganisationForm(_profile(siret="732 829 320 00074"))

    assert not form.is_valid()
    assert form.errors["siret"] == [
        "An organisation with this SIRET already exists: ask its owner to invite you."
    ]


def test_organisation_form_french_without_siret_refused():
    form = OrganisationForm(_profile(siret=""))

    assert not form.is_valid()
    assert form.errors["siret"] == ["Give the SIRET of the organisation (14 digits)."]


def test_create_organisation_service_refuses_duplicate_siret():
    OrganisationFactory(siret="73282932000074")

    with pytest.raises(OrganisationError) as error:
        create_organisation(
            by=UserFactory(),
            legal_name="Copie",
            siret="73282932000074",
            structure_type="sme",
            created_on="2020-01-01",
            headcount=3,
            address="1 rue de la Paix",
            postal_code="75002",
            city="Paris",
            description="Une copie.",
        )

    assert "siret" in error.value.message_dict
    assert Organisation.objects.count() == 1


# Foreign entities


def test_organisation_form_foreign_without_registration_number_refused():
    form = OrganisationForm(
        _profile(is_foreign="yes", siret="", country="BE", registration_number="")
    )

    assert not form.is_valid()
    assert form.errors["registration_number"] == [
        "Give the registration number of the organisation in its country."
    ]


def test_organisation_form_foreign_in_france_refused():
    form = OrganisationForm(
        _profile(is_foreign="yes", siret="", country="FR", registration_number="123")
    )

    assert not form.is_valid()
    assert list(form.errors) == ["country"]


def test_organisation_form_foreign_ignores_the_siret_typed():
    form = OrganisationForm(
        _profile(is_foreign="yes", siret="123", country="BE", registration_number="0123.456.749")
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["siret"] is None


def test_organisation_constraint_refuses_foreign_without_number_in_database():
    organisation = OrganisationFactory(foreign=True)
    organisation.registration_number = ""

    with pytest.raises(ValidationError):
        organisation.full_clean()


# Creation through the view, profile edit


def test_create_organisation_view_makes_the_creator_confirmed_owner(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("experimenters:create"), _profile())

    assert response.status_code == 302
    organisation = Organisation.objects.get()
    membership = Membership.objects.get(applicant=organisation.applicant)
    assert (membership.user, membership.role, membership.is_confirmed) == (
        user,
        Membership.Role.OWNER,
        True,
    )
    assert organisation.applicant.kind == Applicant.Kind.ORGANISATION
    assert organisation.siret == "73282932000074"


def test_create_organisation_view_foreign_path(client):
    client.force_login(UserFactory())

    response = client.post(
        reverse("experimenters:create"),
        _profile(
            is_foreign="yes",
            siret="",
            country="BE",
            registration_number="0123.456.749",
            postal_code="1000",
            city="Bruxelles",
        ),
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert (organisation.is_foreign, organisation.siret, organisation.country.code) == (
        True,
        None,
        "BE",
    )


def test_create_organisation_view_invalid_siret_saves_nothing(client):
    client.force_login(UserFactory())

    response = client.post(reverse("experimenters:create"), _profile(siret="12345678901234"))

    assert response.status_code == 400
    assert Organisation.objects.count() == 0
    assert Applicant.objects.count() == 0


def test_create_organisation_view_follows_a_safe_next_only(client):
    client.force_login(UserFactory())

    response = client.post(
        reverse("experimenters:create"), {**_profile(), "next": "https://evil.example/"}
    )

    # not the unsafe address: the new organisation's page, where its pending owner sends a proof
    assert response.url == Organisation.objects.get().get_absolute_url()


def test_organisation_profile_edited_by_a_member_renames_the_applicant(client):
    organisation = OrganisationFactory()
    client.force_login(member_of(organisation))

    response = client.post(
        organisation.get_absolute_url(),
        _profile(legal_name="Urbanlab SAS", siret=organisation.siret),
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    organisation.applicant.refresh_from_db()
    assert (organisation.legal_name, organisation.applicant.name) == ("Urbanlab SAS",) * 2


def test_organisation_profile_of_another_organisation_is_404(client):
    organisation = OrganisationFactory()
    client.force_login(OrganisationFactory().owner())

    assert client.get(organisation.get_absolute_url()).status_code == 404


def test_user_may_belong_to_several_organisations():
    user = UserFactory()
    first = OrganisationFactory(owner=user)
    second = OrganisationFactory()
    member_of(second, user)

    assert set(Applicant.objects.filter(memberships__user=user)) == {
        first.applicant,
        second.applicant,
    }


# Ownership transfer


def test_transfer_ownership_leaves_exactly_one_owner():
    organisation = OrganisationFactory()
    owner = organisation.owner()
    colleague = member_of(organisation)

    transfer_ownership(organisation, to=colleague, by=owner)

    roles = dict(
        Membership.objects.filter(applicant=organisation.applicant).values_list("user_id", "role")
    )
    assert roles == {owner.pk: "member", colleague.pk: "owner"}


def test_transfer_ownership_only_by_the_owner():
    organisation = OrganisationFactory()
    colleague = member_of(organisation)
    other = member_of(organisation)

    with pytest.raises(PermissionDenied):
        transfer_ownership(organisation, to=other, by=colleague)

    assert organisation.owner() != other


def test_transfer_ownership_target_must_be_a_confirmed_member():
    organisation = OrganisationFactory()
    stranger = UserFactory()

    with pytest.raises(OrganisationError):
        transfer_ownership(organisation, to=stranger, by=organisation.owner())

    pending = UserFactory()
    Membership.objects.create(applicant=organisation.applicant, user=pending)
    with pytest.raises(OrganisationError):
        transfer_ownership(organisation, to=pending, by=organisation.owner())


def test_transfer_view_confirm_then_post(client):
    organisation = OrganisationFactory()
    owner = organisation.owner()
    colleague = member_of(organisation)
    client.force_login(owner)
    url = reverse("experimenters:transfer", kwargs={"pk": organisation.pk, "user_pk": colleague.pk})

    assert client.get(url).status_code == 200
    response = client.post(url)

    assert response.url == reverse("qmi:members", kwargs={"pk": organisation.applicant_id})
    assert organisation.owner() == colleague


def test_transfer_view_refused_to_a_member(client):
    organisation = OrganisationFactory()
    colleague = member_of(organisation)
    client.force_login(colleague)
    url = reverse(
        "experimenters:transfer",
        kwargs={"pk": organisation.pk, "user_pk": colleague.pk},
    )

    assert client.post(url).status_code == 404
    assert organisation.owner() != colleague


def test_members_page_shows_roles_and_the_transfer_button_to_the_owner(client):
    organisation = OrganisationFactory()
    colleague = member_of(organisation)
    client.force_login(organisation.owner())

    response = client.get(reverse("qmi:members", kwargs={"pk": organisation.applicant_id}))

    transfer_url = reverse(
        "experimenters:transfer", kwargs={"pk": organisation.pk, "user_pk": colleague.pk}
    )
    assert transfer_url in response.content.decode()


def test_members_page_hides_the_transfer_button_from_members(client):
    organisation = OrganisationFactory()
    colleague = member_of(organisation)
    client.force_login(colleague)

    response = client.get(reverse("qmi:members", kwargs={"pk": organisation.applicant_id}))

    assert "/transferer/" not in response.content.decode()


def test_siret_for_factory_helper_makes_valid_numbers():
    assert validate_siret(siret_for(42)) is None


# The identification: in France (SIRET) or outside France (country and number)

FRANCE_AND_OVERSEAS = ["FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"]


def test_organisation_form_new_has_no_country_chosen():
    form = OrganisationForm()

    assert form["country"].value() in (None, "")
    assert 'value="" selected' in str(form["country"])


def test_organisation_form_french_profile_shows_no_country_in_the_foreign_block():
    organisation = OrganisationFactory()

    form = OrganisationForm(instance=organisation)

    assert form["country"].value() in (None, "")
    assert form["is_foreign"].value() == "no"


def test_organisation_form_foreign_profile_keeps_its_country():
    organisation = OrganisationFactory(foreign=True)

    form = OrganisationForm(instance=organisation)

    assert (form["is_foreign"].value(), form["country"].value()) == ("yes", "BE")


def test_organisation_form_foreign_choices_exclude_france_and_its_overseas_territories():
    codes = {code for code, _name in OrganisationForm().fields["country"].choices}

    assert codes.isdisjoint(FRANCE_AND_OVERSEAS)
    assert {"BE", "DE", "CH", ""} <= codes


@pytest.mark.parametrize("code", FRANCE_AND_OVERSEAS)
def test_organisation_form_foreign_in_france_or_overseas_is_refused_clearly(code):
    form = OrganisationForm(
        _profile(is_foreign="yes", siret="", country=code, registration_number="123")
    )

    assert not form.is_valid()
    assert form.errors["country"] == [
        "An organisation established in France, overseas included, is identified by its "
        "SIRET: choose “In France” above."
    ]


def test_organisation_form_foreign_without_country_is_refused():
    form = OrganisationForm(
        _profile(is_foreign="yes", siret="", country="", registration_number="0123.456.749")
    )

    assert not form.is_valid()
    assert form.errors["country"] == ["Choose the country where it is registered."]


def test_organisation_form_french_ignores_the_foreign_block():
    form = OrganisationForm(_profile(country="GP", registration_number="whatever"))

    assert form.is_valid(), form.errors
    assert (form.cleaned_data["country"], form.cleaned_data["registration_number"]) == ("FR", "")


def test_organisation_form_french_without_country_posted_is_accepted(client):
    client.force_login(UserFactory())

    response = client.post(reverse("experimenters:create"), _profile(country=""))

    assert response.status_code == 302
    assert Organisation.objects.get().country.code == "FR"


def test_organisation_page_marks_both_blocks_for_the_script_and_shows_them_without_it(client):
    client.force_login(UserFactory())

    page = client.get(reverse("experimenters:create")).content.decode()

    assert 'data-identification-for="no"' in page
    assert 'data-identification-for="yes"' in page
    assert "hidden" not in page.split('data-identification-for="yes"')[1].split(">")[0]
    assert "js/organisation_form.js" in page
