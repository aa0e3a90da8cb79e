"""What each kind of call declares in its registration (``KindSpec``), read by the shared
mechanisms instead of branching on the kind's name."""

from importlib import import_module

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from calls.domain import samples
from calls.domain.kinds import hook, required_slots, spec_for, specs
from calls.management.commands.seed_demo import demo_modules
from calls.models import Application
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    ProjectApplicationFactory,
)

pytestmark = pytest.mark.django_db

FACTORIES = {"municipalities": ApplicationFactory, "experimenters": ProjectApplicationFactory}


def test_every_kind_of_call_is_registered_with_its_letter():
    assert {spec.kind: spec.reference_letter for spec in specs()} == {
        "municipalities": "M",
        "experimenters": "E",
    }


@pytest.mark.parametrize("kind", ["municipalities", "experimenters"])
def test_sample_answers_make_a_complete_application(kind):
    application = FACTORIES[kind]()
    assert application.content.missing_items() != []

    samples.complete(application)

    application = Application.objects.get(pk=application.pk)
    assert application.content.missing_items() == []


@pytest.mark.parametrize("kind", ["municipalities", "experimenters"])
def test_each_required_slot_is_missing_until_a_file_is_attached(kind):
    application = FACTORIES[kind]()
    samples.complete(application, attach=False)

    missing = application.content.missing_items()

    assert missing == [(slot.name, slot.required) for slot in required_slots(kind)]
    assert missing != []


@pytest.mark.parametrize("kind", ["municipalities", "experimenters"])
def test_each_required_field_is_listed_when_empty(kind):
    application = FACTORIES[kind](complete=True)
    content = application.content
    name = content.REQUIRED_FIELDS[0]
    setattr(content, name, None if content._meta.get_field(name).null else "")
    content.save()

    assert [n for n, _message in content.missing_items()] == [name]


def test_one_application_per_municipality_and_call_is_a_database_rule():
    first = ApplicationFactory()
    assert first.one_per_applicant is True
    second = Application(
        call=first.call,
        kind=first.kind,
        applicant=first.applicant,
        created_by=first.created_by,
        reference="QMI2-M-9999",
        one_per_applicant=True,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_an_organisation_may_have_several_projects_in_one_call():
    organisation = OrganisationFactory()
    first = ProjectApplicationFactory(organisation=organisation)

    second = ProjectApplicationFactory(call=first.call, organisation=organisation)

    assert (first.one_per_applicant, second.one_per_applicant) == (False, False)
    assert Application.objects.filter(applicant=organisation.applicant).count() == 2


def test_flagging_migration_marks_the_municipality_applications_only():
    municipality = ApplicationFactory()
    project = ProjectApplicationFactory()
    Application.objects.update(one_per_applicant=False)
    migration = import_module("calls.migrations.0009_application_one_per_applicant")

    migration.flag_municipality_applications(apps, None)

    flags = dict(Application.objects.values_list("pk", "one_per_applicant"))
    assert flags == {municipality.pk: True, project.pk: False}


def test_a_hook_a_kind_does_not_declare_is_none():
    assert hook("municipalities", "public_context") is None
    assert callable(hook("experimenters", "public_context"))


def test_headline_is_the_title_of_a_project_and_the_district_of_a_municipality():
    project = ProjectApplicationFactory(complete=True)
    municipality = ApplicationFactory(complete=True)

    assert project.content.headline == project.project.title != ""
    assert municipality.content.headline == municipality.municipality.district_name != ""


def test_dashboard_names_a_project_but_not_a_municipality_proposal(client):
    member = MembershipFactory()
    ApplicationFactory(call=CallFactory(), member=member, complete=True)
    client.force_login(member.user)

    page = client.get(reverse("dashboard")).content.decode()

    assert spec_for("municipalities").one_per_applicant is True
    assert "Quartier de la gare" not in page


def test_demo_modules_run_in_the_order_of_the_apps():
    assert [module.__name__ for module in demo_modules()] == [
        "calls.demos",
        "municipalities.demo",
        "experimenters.demo",
        "evaluation.demo",
    ]


def test_the_workflow_table_says_which_transition_opens_a_correction():
    from calls.domain.workflow import TRANSITIONS

    assert [name for name, t in TRANSITIONS.items() if t.opens_correction] == ["request_correction"]
