"""Decisions applicants can follow: the place offered to each laureate, accepted or declined
by its due date; a decline frees the place and staff offer it to the next on the waiting list,
in rank order, the caps checked again; an ineligibility told before the results, with its
reason, when staff choose."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from calls.domain import lifecycle, offers, reminders
from calls.domain.workflow import Status
from calls.models import Application, Offer, OutboxRule, StatusChange
from evaluation import publication, services, waitlist
from evaluation.models import Decision
from experimenters.models import Experimentation
from municipalities.models import InnovationDistrict
from tests.factories import (
    CallFactory,
    DistrictFactory,
    ExperimenterCallFactory,
    ProjectApplicationFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    close,
    member_of,
    take,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    OutboxRule.objects.update_or_create(kind="decision", defaults={"hold": False})
    with translation.override("en"):
        yield


@pytest.fixture
def staff():
    return StaffFactory()


def decide(application, outcome, staff, **kwargs):
    return services.record_decision(
        Application.objects.select_related("call").get(pk=application.pk),
        outcome=outcome,
        by=staff,
        **kwargs,
    )


def reload(application):
    return Application.objects.select_related("call").get(pk=application.pk)


def mails_to(application, subject_part):
    return [
        m for m in mail.outbox if subject_part in m.subject and application.reference in m.subject
    ]


@pytest.fixture
def published(staff, django_capture_on_commit_callbacks):
    """A call for municipalities selecting one: A selected, B then C waitlisted (B ranked
    first: no review, so by reference), D ineligible; results published."""
    call = CallFactory(max_selected=1)
    a, b, c = (
        take(SubmittedApplicationFactory(call=call), "mark_eligible", "shortlist", by=staff)
        for _ in range(3)
    )
    d = take(SubmittedApplicationFactory(call=call), "mark_ineligible", by=staff, note="Hors MGP.")
    close(call)
    decide(a, "selected", staff)
    decide(b, "waitlisted", staff)
    decide(c, "waitlisted", staff)
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_results(call, by=staff)
    call.refresh_from_db()
    return call, (a, b, c, d)


# --- The offer of a place ---------------------------------------------------------------------


def test_each_laureate_is_offered_its_place_until_the_end_of_a_day(published):
    call, (a, b, _c, _d) = published

    offer = Offer.objects.get()

    expected_day = timezone.localdate(call.results_published_at) + timedelta(days=15)
    assert offer.application_id == a.pk and offer.waiting
    assert timezone.localtime(offer.due_at) == timezone.make_aware(
        datetime.combine(expected_day, time(23, 59, 59))
    )
    (selected_mail,) = mails_to(a, "")[:1] or [None]
    assert selected_mail is not None and "accept or decline the place" in selected_mail.body
    assert not Offer.objects.filter(application=b).exists()


def test_the_laureate_accepts_its_place_once(published, client, django_capture_on_commit_callbacks):
    _call, (a, *_rest) = published
    client.force_login(a.created_by)
    url = reverse("calls:place", kwargs={"reference": a.reference})

    space = client.get(reverse("dashboard")).text
    assert "Accept or decline your place by" in space and url in space
    page = client.get(url)
    assert page.status_code == 200 and "Accept or decline your place by" in page.text
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"answer": "accept"}, follow=True)

    offer = Offer.objects.get()
    assert (offer.answer, offer.answered_by) == ("accepted", a.created_by)
    assert "Your place is confirmed" in response.text
    assert len(mails_to(a, "Place confirmed")) == 1
    again = client.post(url, {"answer": "decline"}, follow=True)
    assert "The place was already accepted." in again.text
    assert reload(a).status == Status.SELECTED and Offer.objects.get().answer == "accepted"


def test_a_decline_frees_the_place_and_tells_the_members(
    published, client, django_capture_on_commit_callbacks
):
    _call, (a, *_rest) = published
    assert InnovationDistrict.objects.filter(source_application=a).exists()
    client.force_login(a.created_by)
    url = reverse("calls:place", kwargs={"reference": a.reference})
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"answer": "decline", "note": "Budget voté ailleurs."}, follow=True
        )

    assert reload(a).status == Status.DECLINED
    assert not InnovationDistrict.objects.filter(source_application=a).exists()
    change = StatusChange.objects.get(application=a, transition="decline")
    assert (change.by, change.note) == (a.created_by, "Budget voté ailleurs.")
    assert Offer.objects.get().answer == "declined"
    assert "You declined the place" in response.text
    assert "Place declined" in response.text  # the status the applicant reads
    (told,) = mails_to(a, "Place declined")
    assert "Budget voté ailleurs." in told.body
    assert waitlist.places(reload(a).call).free == 1


def test_no_answer_after_the_due_date(published, client):
    _call, (a, *_rest) = published
    offer = Offer.objects.get()
    with time_machine.travel(offer.due_at + timedelta(seconds=1)):
        client.force_login(a.created_by)
        response = client.post(
            reverse("calls:place", kwargs={"reference": a.reference}),
            {"answer": "decline"},
            follow=True,
        )

    assert "The answer was due on" in response.text
    assert reload(a).status == Status.SELECTED and Offer.objects.get().waiting


def test_an_unknown_answer_changes_nothing(published, client):
    _call, (a, *_rest) = published
    client.force_login(a.created_by)

    response = client.post(
        reverse("calls:place", kwargs={"reference": a.reference}), {"answer": "maybe"}, follow=True
    )

    assert "Choose to accept or to decline the place." in response.text
    assert Offer.objects.get().waiting and reload(a).status == Status.SELECTED


def test_the_place_page_is_the_applicants_own(published, client):
    _call, (a, b, *_rest) = published
    url = reverse("calls:place", kwargs={"reference": a.reference})

    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(b.created_by)  # another municipality's officer
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "decline"}).status_code == 404
    assert reload(a).status == Status.SELECTED


def test_staff_record_a_place_given_up(published, staff):
    _call, (a, *_rest) = published
    with pytest.raises(PermissionDenied):
        lifecycle.transition(reload(a), "record_decline", by=a.created_by, note="x")

    lifecycle.transition(reload(a), "record_decline", by=staff, note="Par courrier du maire.")

    offer = Offer.objects.get()
    assert (offer.answer, offer.answered_by, offer.note) == (
        "declined",
        staff,
        "Par courrier du maire.",
    )


def test_promotion_is_not_a_bulk_action_of_the_staff_list(published, staff, client):
    client.force_login(staff)
    page = client.get(reverse("admin:calls_application_changelist"))

    assert "Record that the laureate gives up its place" in page.text
    assert "Offer a freed place" not in page.text


# --- The waiting list -------------------------------------------------------------------------


def test_the_next_in_rank_order_gets_the_freed_place(
    published, staff, client, django_capture_on_commit_callbacks
):
    call, (a, b, c, _d) = published
    with pytest.raises(waitlist.WaitlistError, match="No place is free"):
        waitlist.promote(call, application=b, by=staff)
    client.force_login(a.created_by)
    client.post(reverse("calls:place", kwargs={"reference": a.reference}), {"answer": "decline"})
    mail.outbox.clear()

    with pytest.raises(waitlist.WaitlistError, match=f"{b.reference} comes first"):
        waitlist.promote(call, application=c, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        waitlist.promote(call, application=b, by=staff, note="Bienvenue.")

    b = reload(b)
    assert b.status == Status.SELECTED
    assert Decision.objects.get(application=b).outcome == "selected"
    assert Offer.objects.get(application=b).waiting
    (told,) = mails_to(b, "A place is offered")
    assert "Bienvenue." in told.body and "accept or decline the place" in told.body
    # the cap holds again: one selected, no place left for C
    with pytest.raises(waitlist.WaitlistError, match="No place is free"):
        waitlist.promote(call, application=c, by=staff)
    assert reload(c).status == Status.WAITLISTED


def test_promotion_is_for_staff(published):
    call, (a, b, *_rest) = published
    lifecycle.transition(reload(a), "record_decline", by=StaffFactory(), note="x")

    with pytest.raises(PermissionDenied):
        waitlist.promote(call, application=b, by=b.created_by)
    assert reload(b).status == Status.WAITLISTED


def submitted_project(call, staff, wishes):
    project = ProjectApplicationFactory(call=call, complete=True)
    project.project.wishes.all().delete()
    for rank, district in enumerate(wishes, start=1):
        project.project.wishes.create(district=district, rank=rank, reason="Un bon terrain.")
    lifecycle.transition(project, "submit", by=project.created_by)
    return take(project, "mark_eligible", "shortlist", by=staff)


def test_a_freed_district_place_goes_to_the_best_ranked_who_wished_it(
    staff, django_capture_on_commit_callbacks
):
    """D1 and D2 take one project each. P1 (D1) declines: W1, ranked first on the waiting
    list, wished only D2 (full), so W2, who wished D1, gets the place there."""
    d1 = DistrictFactory(capacity_min=0, capacity_max=1, name="Quartier Un")
    d2 = DistrictFactory(capacity_min=0, capacity_max=1, name="Quartier Deux")
    call = ExperimenterCallFactory(districts=[d1, d2])
    p1 = submitted_project(call, staff, [d1])
    p2 = submitted_project(call, staff, [d2])
    w1 = submitted_project(call, staff, [d2])
    w2 = submitted_project(call, staff, [d2, d1])
    close(call)
    decide(p1, "selected", staff, district=d1)
    decide(p2, "selected", staff, district=d2)
    decide(w1, "waitlisted", staff)
    decide(w2, "waitlisted", staff)
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_results(call, by=staff)
    owner = p1.applicant.organisation.owner()
    colleague = member_of(p1.applicant.organisation)
    with pytest.raises(PermissionDenied):
        offers.decline(reload(p1), by=colleague)

    offers.decline(reload(p1), by=owner, reason="Levée de fonds reportée.")

    abandoned = Experimentation.objects.get(application=p1)
    assert abandoned.status == "abandoned"
    assert abandoned.history.order_by("-pk").first().note == "Levée de fonds reportée."
    candidates = waitlist.waiting_list(call)
    assert [(c.application.pk, [d.pk for d in c.districts]) for c in candidates] == [
        (w1.pk, []),
        (w2.pk, [d1.pk]),
    ]
    with pytest.raises(waitlist.WaitlistError, match=f"{w2.reference} comes first"):
        waitlist.promote(call, application=w1, by=staff)
    waitlist.promote(call, application=w2, by=staff)

    assert Decision.objects.get(application=w2).district == d1
    assert Experimentation.objects.get(application=w2).district == d1
    with pytest.raises(waitlist.WaitlistError, match="No place is free"):
        waitlist.promote(call, application=w1, by=staff)


# --- The reminder before the due date ---------------------------------------------------------


def send_offer_reminders(now):
    return reminders.send_batch(offers.SOURCE, offers.due(now), now=now)["sent"]


def test_a_laureate_is_reminded_once_three_days_before_its_due_date(published, staff):
    _call, (a, *_rest) = published
    offer = Offer.objects.get()
    mail.outbox.clear()

    assert send_offer_reminders(offer.due_at - timedelta(days=4)) == 0  # too early
    assert send_offer_reminders(offer.due_at - timedelta(days=2)) == 1
    assert send_offer_reminders(offer.due_at - timedelta(days=1)) == 0  # once
    (reminder,) = mails_to(a, "Reminder: accept or decline your place")
    assert reverse("calls:place", kwargs={"reference": a.reference}) in reminder.body

    Offer.objects.filter(pk=offer.pk).update(due_at=offer.due_at + timedelta(days=7))
    assert send_offer_reminders(offer.due_at + timedelta(days=5)) == 1  # the date moved
    Offer.objects.filter(pk=offer.pk).update(answer="accepted", reminded_for=None)
    assert send_offer_reminders(offer.due_at + timedelta(days=5)) == 0  # answered
