"""Reference data: the 130 member communes of the Métropole, loaded by migration and
refreshed idempotently by ``load_communes``."""

import io

import pytest
from django.core.management import call_command

from municipalities.models import Commune
from municipalities.reference import load_communes

pytestmark = pytest.mark.django_db


def all_communes():
    return list(Commune.objects.order_by("insee_code").values())


def test_migration_loads_130_communes():
    assert Commune.objects.count() == 130


def test_migration_loads_paris_with_its_territory():
    paris = Commune.objects.get(insee_code="75056")

    assert (paris.name, paris.departement, paris.territory, paris.siren) == (
        "Paris",
        "75",
        "Paris",
        "217500016",
    )


def test_commune_population_is_an_integer():
    paris = Commune.objects.get(insee_code="75056")

    assert type(paris.population) is int
    assert paris.population > 2_000_000


def test_communes_belong_to_paris_and_eleven_territories():
    territories = set(Commune.objects.values_list("territory", flat=True))

    assert len(territories) == 12
    assert Commune.objects.filter(territory="Paris").count() == 1


def test_commune_codes_have_the_official_shape():
    malformed = [
        (c.insee_code, c.siren)
        for c in Commune.objects.all()
        if not (len(c.insee_code) == 5 and len(c.siren) == 9 and c.siren.isdigit())
    ]

    assert malformed == []


def test_load_communes_restores_deleted_and_changed_communes():
    Commune.objects.filter(insee_code="93048").delete()
    Commune.objects.filter(insee_code="75056").update(population=1, territory="Ailleurs")

    result = load_communes(Commune)

    paris = Commune.objects.get(insee_code="75056")
    assert result == (1, 1)
    assert (paris.population, paris.territory) == (2103778, "Paris")
    assert Commune.objects.get(insee_code="93048").name == "Montreuil"


def test_load_communes_second_run_changes_nothing():
    Commune.objects.filter(insee_code="93048").delete()
    load_communes(Commune)
    before = all_communes()

    result = load_communes(Commune)

    assert result == (0, 0)
    assert all_communes() == before


def test_load_communes_keeps_the_applicant_of_a_commune():
    from municipalities.services import applicant_for

    commune = Commune.objects.get(insee_code="93048")
    applicant = applicant_for(commune)
    Commune.objects.filter(pk=commune.pk).update(population=1)

    load_communes(Commune)

    assert Commune.objects.get(pk=commune.pk).applicant == applicant


def test_load_communes_command_prints_counts():
    out = io.StringIO()

    call_command("load_communes", stdout=out)

    assert out.getvalue() == "Communes: 0 created, 0 updated, 130 in all.\n"


def test_load_communes_command_after_a_deletion_prints_one_created():
    Commune.objects.filter(insee_code="93048").delete()
    out = io.StringIO()

    call_command("load_communes", stdout=out)

    assert out.getvalue() == "Communes: 1 created, 0 updated, 130 in all.\n"
