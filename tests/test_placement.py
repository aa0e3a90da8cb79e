"""The placement of a call's laureates in its districts, as staff use it: the proposal saved,
moves that pin, pins and exclusions kept when proposing again, accepting into the pending
decisions, the caps counting every call of the district, the page and who reaches it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.domain import lifecycle
from calls.models import Application
from evaluation import publication, services
from evaluation.models import Decision, Placement
from evaluation.placement import service
from experimenters.models import DistrictWish
from tests.factories import (
    CallFactory,
    DistrictFactory,
    ExperimenterCallFactory,
    JuryMemberFactory,
    ProjectApplicationFactory,
    UserFactory,
    take,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def laureate(call, wishes, staff):
    """A shortlisted project of ``call`` wishing ``wishes`` in that order, with a pending
    "selected" decision without district."""
    project = ProjectApplicationFactory(call=call, complete=True)
    project.project.wishes.all().delete()
    for rank, district in enumerate(wishes, start=1):
        DistrictWish.objects.create(
            project=project.project, district=district, rank=rank, reason="Une place minérale."
        )
    lifecycle.transition(project, "submit", by=project.created_by)
    take(project, "mark_eligible", "shortlist", by=staff)
    services.record_decision(
        Application.objects.select_related("call").get(pk=project.pk),
        outcome="selected",
        by=staff,
    )
    return project


@pytest.fixture
def districts():
    return (
        DistrictFactory(name="Quartier de la gare", capacity_min=1, capacity_max=2),
        DistrictFactory(name="Quartier du canal", capacity_min=1, capacity_max=2),
    )


@pytest.fixture
def call(districts):
    return ExperimenterCallFactory(districts=list(districts))


def placed(call):
    return dict(
        Placement.objects.filter(application__call=call).values_list(
            "application__reference", "district__name"
        )
    )


def test_the_proposal_places_every_laureate_in_a_district_it_wished(call, districts, staff):
    gare, canal = districts
    a = laureate(call, [gare, canal], staff)
    b = laureate(call, [gare], staff)
    c = laureate(call, [gare, canal], staff)

    proposal = service.propose(call, by=staff)

    assert proposal.placed_count == 3
    where = placed(call)
    assert where[b.reference] == "Quartier de la gare"  # its only wish
    assert sorted([where[a.reference], where[c.reference]]) == [
        "Quartier de la gare",
        "Quartier du canal",
    ]
    ranks = dict(Placement.objects.values_list("application_id", "wish_rank"))
    assert ranks[b.pk] == 1


def test_a_project_moved_by_hand_is_pinned_and_stays_when_proposing_again(call, districts, staff):
    gare, canal = districts
    a = laureate(call, [gare, canal], staff)
    laureate(call, [canal, gare], staff)
    service.propose(call, by=staff)
    assert placed(call)[a.reference] == "Quartier de la gare"

    service.change(
        call,
        [service.Change(a.pk, canal.pk, pinned=False, allow_unwished=False, excluded=frozenset())],
        by=staff,
    )
    service.propose(call, by=staff)

    row = Placement.objects.get(application=a)
    assert (row.district, row.pinned, row.wish_rank) == (canal, True, 2)


def test_a_district_ruled_out_is_not_proposed_again(call, districts, staff):
    gare, canal = districts
    a = laureate(call, [gare, canal], staff)
    b = laureate(call, [canal, gare], staff)
    service.propose(call, by=staff)
    assert placed(call) == {a.reference: "Quartier de la gare", b.reference: "Quartier du canal"}
    service.change(
        call,
        [
            service.Change(
                a.pk, None, pinned=False, allow_unwished=False, excluded=frozenset({gare.pk})
            )
        ],
        by=staff,
    )

    service.propose(call, by=staff)

    assert placed(call) == {a.reference: "Quartier du canal", b.reference: "Quartier de la gare"}


def test_an_impossible_placement_names_the_district_and_changes_nothing(districts, staff):
    gare = DistrictFactory(name="Quartier des écoles", capacity_min=6, capacity_max=8)
    call = ExperimenterCallFactory(districts=[gare])
    for _ in range(4):
        laureate(call, [gare], staff)

    with pytest.raises(service.PlacementError) as refused:
        service.propose(call, by=staff)

    assert refused.value.messages == ["Quartier des écoles: only 4 projects wished it, 6 at least."]
    assert not Placement.objects.filter(district__isnull=False).exists()


def test_accepting_copies_the_districts_onto_the_pending_decisions(call, districts, staff):
    gare, canal = districts
    a = laureate(call, [gare], staff)
    b = laureate(call, [canal], staff)
    service.propose(call, by=staff)

    assert service.accept(call, by=staff) == (2, 0)

    decisions = dict(Decision.objects.values_list("application_id", "district_id"))
    assert decisions == {a.pk: gare.pk, b.pk: canal.pk}
    assert service.board(call).accepted
    assert publication.check(call).errors == []


def test_a_laureate_not_placed_stops_the_publication(call, districts, staff):
    gare, canal = districts
    laureate(call, [gare], staff)
    laureate(call, [canal], staff)

    assert "2 selected projects have no innovation district." in publication.check(call).errors


def test_the_caps_count_the_laureates_other_calls_placed_in_the_district(districts, staff):
    gare = DistrictFactory(name="Quartier du marché", capacity_min=1, capacity_max=2)
    first_wave = ExperimenterCallFactory(districts=[gare])
    for _ in range(2):
        laureate(first_wave, [gare], staff)
    service.propose(first_wave, by=staff)
    service.accept(first_wave, by=staff)
    second_wave = ExperimenterCallFactory(districts=[gare])
    late = laureate(second_wave, [gare], staff)

    assert service.propose(second_wave, by=staff).placed_count == 0
    (row,) = service.board(second_wave).unplaced
    assert row.why == ["Quartier du marché is full (2 of 2)."]
    services.record_decision(
        Application.objects.select_related("call").get(pk=late.pk),
        outcome="selected",
        district=gare,
        by=staff,
    )

    assert publication.check(second_wave).errors == [
        "Quartier du marché: 3 projects selected (2 by the edition's other calls), 2 at most."
    ]


def test_the_placement_is_for_staff(call, districts, staff):
    laureate(call, [districts[0]], staff)

    with pytest.raises(PermissionDenied):
        service.propose(call, by=UserFactory())
    with pytest.raises(PermissionDenied):
        service.accept(call, by=UserFactory())
    assert not Placement.objects.exists()


def test_a_published_call_placement_no_longer_changes(call, districts, staff):
    laureate(call, [districts[0]], staff)
    call.results_published_at = call.opens_at
    call.save()

    with pytest.raises(service.PlacementError, match="published"):
        service.propose(call, by=staff)


# --- The page ----------------------------------------------------------------------------------


def url(call):
    return reverse("admin:calls_call_placement", args=[call.pk])


def test_the_page_shows_districts_as_columns_with_their_laureates_and_the_wish_obtained(
    client, call, districts, staff
):
    gare, canal = districts
    a = laureate(call, [gare, canal], staff)
    laureate(call, [canal], staff)
    service.propose(call, by=staff)
    client.force_login(staff)

    page = client.get(url(call)).content.decode()

    assert f'<h3 id="district-{gare.pk}">Quartier de la gare</h3>' in page
    assert a.reference in page
    assert "wish 1" in page
    assert "2 of 2 laureates placed." in page


def test_the_page_proposes_then_accepts(client, call, districts, staff):
    gare, canal = districts
    a = laureate(call, [canal], staff)
    laureate(call, [gare], staff)
    client.force_login(staff)

    proposed = client.post(url(call), {"action": "propose"}, follow=True)
    accepted = client.post(url(call), {"action": "accept"}, follow=True)

    assert "Placement proposed: 2 laureates of 2 placed." in proposed.content.decode()
    assert "2 pending decisions now hold their district." in accepted.content.decode()
    assert Decision.objects.get(application=a).district == canal


def test_the_page_names_the_cause_of_an_impossible_placement(client, staff):
    gare = DistrictFactory(name="Quartier des écoles", capacity_min=3, capacity_max=8)
    call = ExperimenterCallFactory(districts=[gare])
    laureate(call, [gare], staff)
    client.force_login(staff)

    response = client.post(url(call), {"action": "propose"}, follow=True)

    assert response.status_code == 200
    assert (
        "Quartier des écoles: only 1 projects wished it, 3 at least." in response.content.decode()
    )


def formset_data(call, changes):
    """The page's form as posted, with ``changes`` ({application: {field: value}})."""
    board = service.board(call)
    data = {
        "action": "save",
        "form-TOTAL_FORMS": str(len(board.rows)),
        "form-INITIAL_FORMS": str(len(board.rows)),
    }
    for i, row in enumerate(board.rows):
        values = {
            "application": row.application.pk,
            "district": row.district.pk if row.district else "",
            "excluded": sorted(row.excluded),
        }
        if row.pinned:
            values["pinned"] = "on"
        values.update(changes.get(row.application.pk, {}))
        for name, value in values.items():
            data[f"form-{i}-{name}"] = value
    return data


def test_moving_a_laureate_on_the_page_pins_it(client, call, districts, staff):
    gare, canal = districts
    a = laureate(call, [gare, canal], staff)
    laureate(call, [canal], staff)
    service.propose(call, by=staff)
    client.force_login(staff)

    response = client.post(url(call), formset_data(call, {a.pk: {"district": canal.pk}}))

    assert response.status_code == 302
    row = Placement.objects.get(application=a)
    assert (row.district, row.pinned) == (canal, True)


def test_a_forged_district_on_the_page_is_refused_and_nothing_changes(
    client, call, districts, staff
):
    gare, canal = districts
    a = laureate(call, [gare], staff)
    laureate(call, [canal], staff)
    service.propose(call, by=staff)
    elsewhere = DistrictFactory()
    client.force_login(staff)

    response = client.post(url(call), formset_data(call, {a.pk: {"district": elsewhere.pk}}))

    assert response.status_code == 400
    assert Placement.objects.get(application=a).district == gare


@pytest.mark.parametrize("who", ["anonymous", "applicant", "jury member"])
def test_the_page_is_not_for_applicants_or_the_jury(client, call, districts, staff, who):
    a = laureate(call, [districts[0]], staff)
    if who == "applicant":
        client.force_login(a.created_by)
    elif who == "jury member":
        client.force_login(JuryMemberFactory(call=call).user)

    response = client.get(url(call))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    final = client.get(url(call), follow=True)
    assert final.status_code == (200 if who == "anonymous" else 403)  # sign-in, or refused
    assert a.reference not in final.content.decode()


def test_a_call_for_municipalities_has_no_placement(client, staff):
    client.force_login(staff)

    assert client.get(url(CallFactory())).status_code == 403


def test_the_page_reads_as_many_queries_for_two_laureates_as_for_six(
    client, call, districts, staff, django_assert_num_queries
):
    gare, canal = districts
    laureate(call, [gare, canal], staff)
    laureate(call, [canal], staff)
    service.propose(call, by=staff)
    client.force_login(staff)
    client.get(url(call))  # the session and the content types, read once
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(call)).status_code == 200
    for _ in range(4):
        laureate(call, [canal, gare], staff)
    service.change(
        call,
        [
            service.Change(a.pk, canal.pk, True, True, frozenset({gare.pk}))
            for a in Application.objects.filter(call=call)[:2]
        ],
        by=staff,
    )

    with django_assert_num_queries(len(one)):
        assert client.get(url(call)).status_code == 200


# --- The ranking's decision form, for a call whose projects wish districts -----------------------


def test_the_ranking_offers_each_project_its_wishes_first_with_the_districts_counts(
    client, call, districts, staff
):
    gare, canal = districts
    a = laureate(call, [canal], staff)
    laureate(call, [canal], staff)
    client.force_login(staff)

    page = client.get(reverse("admin:calls_call_ranking", args=[call.pk])).content.decode()

    row = page[page.index(a.reference) :]
    first, second = (
        row.index("1. Quartier du canal — 0 of 1–2"),
        row.index("not wished: Quartier de la gare — 0 of 1–2"),
    )
    assert first < second


def test_the_ranking_refuses_a_district_the_project_did_not_wish(client, call, districts, staff):
    gare, canal = districts
    a = laureate(call, [canal], staff)
    client.force_login(staff)
    url = reverse("admin:calls_call_ranking", args=[call.pk])
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-application": a.pk,
        "form-0-outcome": "selected",
        "form-0-district": gare.pk,
        "form-0-reason_shared": "",
    }

    response = client.post(url, data, follow=True)

    assert f"{a.reference} did not wish Quartier de la gare" in response.content.decode()
    assert Decision.objects.get(application=a).district is None
