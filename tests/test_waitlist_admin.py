"""The staff's side of decisions applicants can follow: telling an ineligibility before the
results (the admin action, its confirmation, the e-mail with the reason, once), and the
waiting-list page of a call (who may read it, who may offer a place, bad input, its queries)."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from calls.domain import deliveries, lifecycle, offers
from calls.domain.workflow import Status
from calls.models import Application, Delivery, Offer
from evaluation import publication, services
from tests.factories import (
    CallFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    close,
    take,
    with_second_factor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff():
    return StaffFactory()


def reload(application):
    return Application.objects.select_related("call").get(pk=application.pk)


def decide(application, outcome, staff):
    return services.record_decision(reload(application), outcome=outcome, by=staff)


# --- An ineligibility told early --------------------------------------------------------------


@pytest.fixture
def screened(staff):
    """A call still in selection: A eligible, D ineligible "Hors du périmètre de la MGP."."""
    call = CallFactory(max_selected=1)
    a = take(SubmittedApplicationFactory(call=call), "mark_eligible", by=staff)
    d = take(
        SubmittedApplicationFactory(call=call),
        "mark_ineligible",
        by=staff,
        note="Hors du périmètre de la MGP.",
    )
    return call, a, d


def tell(client, ids, **extra):
    return client.post(
        reverse("admin:calls_application_changelist"),
        {"action": "tell_ineligible", "_selected_action": ids, **extra},
        follow=True,
    )


def test_staff_tell_an_ineligibility_before_the_results_with_its_reason(
    screened, staff, client, django_capture_on_commit_callbacks
):
    call, a, d = screened
    client.force_login(staff)

    confirm = tell(client, [a.pk, d.pk])
    assert "Hors du périmètre de la MGP." in confirm.text
    assert "1 selected application is left alone" in confirm.text
    assert reload(d).decision_told_at is None  # nothing before the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        done = tell(client, [a.pk, d.pk], confirm="yes")

    assert "1 applicant is told of its ineligibility." in done.text
    assert "wait in the outbox" in done.text  # decisions are held by default
    assert reload(d).decision_told_at is not None and reload(a).decision_told_at is None
    assert mail.outbox == []
    deliveries.send_all(deliveries.release(Delivery.objects.all(), by=staff))
    (told,) = mail.outbox
    assert d.reference in told.subject and "Hors du périmètre de la MGP." in told.body
    assert "The results of the call" not in told.body  # not published yet

    applicant = client.__class__()
    applicant.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    applicant.force_login(d.created_by)
    page = applicant.get(reverse("calls:review", kwargs={"reference": d.reference})).text
    assert "Ineligible" in page and "Hors du périmètre de la MGP." in page
    applicant.force_login(a.created_by)
    other = applicant.get(reverse("calls:review", kwargs={"reference": a.reference})).text
    assert "Under review" in other


def test_an_early_ineligibility_is_not_told_again_at_publication(
    screened, staff, django_capture_on_commit_callbacks
):
    call, a, d = screened
    with django_capture_on_commit_callbacks(execute=True):
        publication.tell_ineligible([d], by=staff)
    deliveries.send_all(deliveries.release(Delivery.objects.all(), by=staff))
    take(reload(a), "shortlist", by=staff)
    decide(a, "selected", staff)
    close(call)
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_results(reload(a).call, by=staff)
    deliveries.send_all(deliveries.release(Delivery.objects.all(), by=staff))

    to_d = [m for m in mail.outbox if d.reference in m.subject]
    assert len(to_d) == 1
    assert publication.tell_ineligible([d], by=staff) == []  # results out: nothing more


def test_only_staff_tell_an_ineligibility(screened):
    _call, _a, d = screened

    with pytest.raises(PermissionDenied):
        publication.tell_ineligible([d], by=d.created_by)
    assert reload(d).decision_told_at is None


# --- The waiting-list page --------------------------------------------------------------------


def published_call(staff, waitlisted, capture):
    """One selected (it declined), ``waitlisted`` on the waiting list; results published."""
    call = CallFactory(max_selected=1)
    chosen, *others = (
        take(SubmittedApplicationFactory(call=call), "mark_eligible", "shortlist", by=staff)
        for _ in range(1 + waitlisted)
    )
    close(call)
    decide(chosen, "selected", staff)
    for application in others:
        decide(application, "waitlisted", staff)
    with capture(execute=True):
        publication.publish_results(reload(chosen).call, by=staff)
    lifecycle.transition(reload(chosen), "record_decline", by=staff, note="Courrier.")
    return reload(chosen).call, chosen, others


def test_staff_offer_the_freed_place_from_the_page(
    staff, client, django_capture_on_commit_callbacks
):
    call, chosen, (first, second) = published_call(staff, 2, django_capture_on_commit_callbacks)
    url = reverse("admin:calls_call_waitlist", args=[call.pk])
    client.force_login(staff)

    page = client.get(url)
    assert page.status_code == 200
    assert "next in line" in page.text and first.reference in page.text
    assert "Declined — Courrier." in page.text  # the answers of the laureates
    refused = client.post(url, {"application": second.pk, "note": ""})
    assert refused.status_code == 400
    assert f"{first.reference} comes first on the waiting list" in refused.text
    assert reload(second).status == Status.WAITLISTED
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"application": first.pk, "note": "Bienvenue."}, follow=True)

    assert f"{first.reference} is selected" in done.text
    assert reload(first).status == Status.SELECTED and Offer.objects.get(application=first)
    assert "No place is free" in done.text


def test_the_waiting_list_page_is_for_staff(staff, client, django_capture_on_commit_callbacks):
    call, _chosen, (first,) = published_call(staff, 1, django_capture_on_commit_callbacks)
    url = reverse("admin:calls_call_waitlist", args=[call.pk])

    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(first.created_by)  # an applicant
    assert client.get(url).status_code == 302
    reader = UserFactory(is_staff=True)  # staff who may only read the calls
    reader.user_permissions.add(Permission.objects.get(codename="view_call"))
    with_second_factor(reader)
    client.force_login(reader)
    page = client.get(url)
    assert page.status_code == 200 and "Offer the place" not in page.text
    assert client.post(url, {"application": first.pk}).status_code == 403
    assert reload(first).status == Status.WAITLISTED


@pytest.mark.parametrize("waitlisted", [2, 6])
def test_the_waiting_list_page_reads_a_fixed_number_of_queries(
    staff, client, django_capture_on_commit_callbacks, django_assert_num_queries, waitlisted
):
    call, _chosen, _others = published_call(staff, waitlisted, django_capture_on_commit_callbacks)
    client.force_login(staff)
    url = reverse("admin:calls_call_waitlist", args=[call.pk])
    client.get(url)  # warm the session and caches

    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200


QUERIES = 12


@pytest.mark.parametrize("laureates", [2, 6])
def test_the_offers_list_reads_a_fixed_number_of_queries(
    staff, client, django_assert_num_queries, laureates
):
    for _ in range(laureates):
        offers.open_offer(SubmittedApplicationFactory())
    client.force_login(staff)
    url = reverse("admin:calls_offer_changelist") + "?state=waiting"
    client.get(url)

    with django_assert_num_queries(6):
        page = client.get(url)
    assert page.status_code == 200 and page.text.count("Waiting for the answer") >= laureates


def test_a_due_date_moves_only_while_the_offer_waits(staff, client):
    offer = offers.open_offer(SubmittedApplicationFactory())
    client.force_login(staff)
    url = reverse("admin:calls_offer_change", args=[offer.pk])
    assert 'name="due_at_0"' in client.get(url).text
    Offer.objects.filter(pk=offer.pk).update(answer="accepted")

    assert 'name="due_at_0"' not in client.get(url).text


def test_the_offers_list_is_for_staff_who_may_read_it(client):
    offer = offers.open_offer(SubmittedApplicationFactory())
    url = reverse("admin:calls_offer_changelist")
    change = reverse("admin:calls_offer_change", args=[offer.pk])

    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(offer.application.created_by)  # its applicant
    assert client.get(url).status_code == 302
    other = UserFactory(is_staff=True)  # staff without the permission to read offers
    with_second_factor(other)
    client.force_login(other)
    assert client.get(url).status_code == 403 and client.get(change).status_code == 403
    assert client.post(change, {"due_at_0": "2030-01-01", "due_at_1": "12:00"}).status_code == 403
    assert Offer.objects.get().due_at == offer.due_at


def test_the_answers_read_in_french_agree_with_the_answer(staff, client):
    answers = {"accepted": "Acceptée", "declined": "Refusée"}
    for answer in answers:
        offer = offers.open_offer(SubmittedApplicationFactory())
        Offer.objects.filter(pk=offer.pk).update(answer=answer)
    client.force_login(staff)

    with translation.override("fr"):
        page = client.get(reverse("admin:calls_offer_changelist"), HTTP_ACCEPT_LANGUAGE="fr")
    cells = page.text.split("<tbody>", 1)[1]  # the list, not its filter
    assert all(f">{label}<" in cells for label in answers.values())
    assert ">Accepté<" not in cells
