"""Decisions (pending, invisible) and the publication of a call's results: caps checked first,
every decision applied through the workflow, districts created, bilingual e-mails sent once,
the public results page only afterwards."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from calls.domain import deliveries
from calls.domain.workflow import Status
from calls.models import Application, Delivery, Notification, OutboxRule, StatusChange
from evaluation import publication, services
from evaluation.models import Decision, Placement
from municipalities.models import InnovationDistrict
from tests.factories import (
    CallFactory,
    DistrictFactory,
    ExperimenterCallFactory,
    ProjectApplicationFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    close,
    take,
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


def release_all(staff):
    """Staff release every e-mail held in the outbox; returns the counts of the sending."""
    return deliveries.send_all(deliveries.release(Delivery.objects.all(), by=staff))


def shortlisted(call, n, staff):
    return [
        take(SubmittedApplicationFactory(call=call), "mark_eligible", "shortlist", by=staff)
        for _ in range(n)
    ]


def decide(application, outcome, staff, **kwargs):
    return services.record_decision(
        Application.objects.select_related("call").get(pk=application.pk),
        outcome=outcome,
        by=staff,
        **kwargs,
    )


def statuses(call):
    return dict(Application.objects.filter(call=call).values_list("reference", "status"))


@pytest.fixture
def municipalities_call(staff):
    """Max 2 selected; A and B shortlisted, C eligible, D ineligible; closed."""
    call = CallFactory(max_selected=2)
    a, b = shortlisted(call, 2, staff)
    c = take(SubmittedApplicationFactory(call=call), "mark_eligible", by=staff)
    d = take(SubmittedApplicationFactory(call=call), "mark_ineligible", by=staff, note="Hors MGP.")
    close(call)
    return call, (a, b, c, d)


# --- Recording decisions ----------------------------------------------------------------------


def test_decision_is_pending_and_changes_no_status(municipalities_call, staff):
    call, (a, *_rest) = municipalities_call

    decision = decide(a, "selected", staff, reason_shared="Un quartier exemplaire.")

    assert (decision.outcome, decision.is_pending) == ("selected", True)
    assert Application.objects.get(pk=a.pk).status == Status.SHORTLISTED


def test_selected_needs_a_shortlisted_application(municipalities_call, staff):
    call, (_a, _b, c, _d) = municipalities_call

    with pytest.raises(services.EvaluationError, match="cannot be"):
        decide(c, "selected", staff)

    assert decide(c, "rejected", staff).outcome == "rejected"


def test_blank_outcome_removes_a_pending_decision(municipalities_call, staff):
    call, (a, *_rest) = municipalities_call
    decide(a, "selected", staff)

    decide(a, "", staff)

    assert not Decision.objects.exists()


def test_decisions_are_for_staff(municipalities_call):
    call, (a, *_rest) = municipalities_call

    with pytest.raises(PermissionDenied):
        decide(a, "selected", a.created_by)


def test_project_selected_goes_to_a_district_of_the_call_it_wished(staff):
    inside, outside = DistrictFactory(), DistrictFactory()
    call = ExperimenterCallFactory(districts=[inside])
    project = ProjectApplicationFactory(call=call, complete=True)
    from calls.domain import lifecycle as call_services

    call_services.transition(project, "submit", by=project.created_by)
    take(project, "mark_eligible", "shortlist", by=staff)

    # Without a district: a laureate the placement will place (the publication requires one).
    assert decide(project, "selected", staff).district is None
    with pytest.raises(services.EvaluationError, match="not covered"):
        decide(project, "selected", staff, district=outside)

    assert decide(project, "selected", staff, district=inside).district == inside


def test_project_selected_in_a_district_it_did_not_wish_needs_staff_to_allow_it(staff):
    wished, other = DistrictFactory(), DistrictFactory()
    call = ExperimenterCallFactory(districts=[wished, other])
    project = ProjectApplicationFactory(call=call, complete=True)
    project.project.wishes.exclude(district=wished).delete()
    project.project.wishes.update(district=wished)
    from calls.domain import lifecycle as call_services

    call_services.transition(project, "submit", by=project.created_by)
    take(project, "mark_eligible", "shortlist", by=staff)

    with pytest.raises(services.EvaluationError, match="did not wish"):
        decide(project, "selected", staff, district=other)
    Placement.objects.create(application=project, allow_unwished=True, updated_by=staff)

    assert decide(project, "selected", staff, district=other).district == other


# --- Caps and readiness -----------------------------------------------------------------------


def test_publication_over_the_cap_refused_and_nothing_changes(municipalities_call, staff):
    """Max 2, three selected (C is shortlisted first): refused, listing the cap."""
    call, (a, b, c, d) = municipalities_call
    take(c, "shortlist", by=staff)
    for application in (a, b, c):
        decide(application, "selected", staff)
    before = statuses(call)
    mail.outbox.clear()

    with pytest.raises(publication.PublicationError) as refused:
        publication.publish_results(call, by=staff)

    call.refresh_from_db()
    assert refused.value.messages == ["3 applications are selected: this call selects 2 at most."]
    assert (statuses(call), call.results_published_at) == (before, None)
    assert (InnovationDistrict.objects.count(), len(mail.outbox)) == (0, 0)


def test_publication_refused_while_an_application_has_no_decision(municipalities_call, staff):
    call, (a, b, c, _d) = municipalities_call
    decide(a, "selected", staff)

    with pytest.raises(publication.PublicationError) as refused:
        publication.publish_results(call, by=staff)

    (message,) = refused.value.messages
    assert message.startswith("2 applications under review have no decision:")
    assert b.reference in message and c.reference in message


def test_publication_refused_while_an_application_is_not_screened(staff):
    call = CallFactory()
    waiting = SubmittedApplicationFactory(call=call)

    check = publication.check(call)

    assert check.errors == [f"1 application is not screened yet: {waiting.reference}."]


def test_district_caps_for_experimenters(staff):
    """District D: at most 1 — two selected there is refused; district E: at least 1 — none
    selected there is a warning only."""
    d = DistrictFactory(capacity_min=1, capacity_max=1, name="Quartier D")
    e = DistrictFactory(capacity_min=1, capacity_max=3, name="Quartier E")
    call = ExperimenterCallFactory(districts=[d, e])
    projects = []
    from calls.domain import lifecycle as call_services

    for _ in range(2):
        project = ProjectApplicationFactory(call=call, complete=True)
        call_services.transition(project, "submit", by=project.created_by)
        projects.append(take(project, "mark_eligible", "shortlist", by=staff))
    for project in projects:
        decide(project, "selected", staff, district=d)

    check = publication.check(call)

    assert check.errors == ["Quartier D: 2 projects selected, 1 at most."]
    assert check.warnings == ["Quartier E: 0 projects selected, fewer than the 1 planned."]


# --- Publishing -------------------------------------------------------------------------------


@pytest.fixture
def decided(municipalities_call, staff):
    call, (a, b, c, d) = municipalities_call
    decide(a, "selected", staff, reason_shared="Un quartier de gare exemplaire.")
    decide(b, "waitlisted", staff)
    decide(c, "rejected", staff, reason_shared="Le périmètre reste flou.")
    return call, (a, b, c, d)


def test_publish_applies_every_decision_through_the_workflow(
    decided, staff, django_capture_on_commit_callbacks
):
    call, (a, b, c, d) = decided

    with django_capture_on_commit_callbacks(execute=True):
        result = publication.publish_results(call, by=staff)

    call.refresh_from_db()
    assert (result.applied, result.districts_created, result.already) == (3, 1, False)
    assert call.results_published_at is not None
    assert statuses(call) == {
        a.reference: Status.SELECTED,
        b.reference: Status.WAITLISTED,
        c.reference: Status.REJECTED,
        d.reference: Status.INELIGIBLE,
    }
    assert sorted(
        StatusChange.objects.filter(
            application__call=call, transition__in=["select", "waitlist", "reject"]
        ).values_list("transition", flat=True)
    ) == ["reject", "select", "waitlist"]
    assert [d.applied_at for d in Decision.objects.select_related("application__call")] == [
        call.results_published_at
    ] * 3
    district = InnovationDistrict.objects.get()
    assert (district.source_application_id, district.name) == (a.pk, "Quartier de la gare")


def test_publish_tells_every_applicant_once_with_the_shared_reason(
    decided, staff, django_capture_on_commit_callbacks
):
    call, (a, b, c, d) = decided
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_results(call, by=staff)
    # Decisions wait in the outbox by default: nothing went before staff release them.
    assert mail.outbox == [] and Delivery.objects.held_back().count() == 4
    assert release_all(staff)["sent"] == 4
    assert release_all(staff)["sent"] == 0  # released once: a second click sends nothing

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 4
    assert "is selected" in by_recipient[a.created_by.email].body
    assert "Un quartier de gare exemplaire." in by_recipient[a.created_by.email].body
    assert "waiting list" in by_recipient[b.created_by.email].body
    assert "Le périmètre reste flou." in by_recipient[c.created_by.email].body
    assert "eligibility conditions" in by_recipient[d.created_by.email].body
    assert "—" * 40 in by_recipient[a.created_by.email].body  # French, then English
    assert sorted(
        Notification.objects.filter(
            application__call=call, kind__startswith="decision_"
        ).values_list("kind", flat=True)
    ) == ["decision_ineligible", "decision_rejected", "decision_selected", "decision_waitlisted"]


def test_publishing_twice_does_nothing_more(decided, staff, django_capture_on_commit_callbacks):
    call, _applications = decided
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_results(call, by=staff)
    sent = len(mail.outbox)
    changes = StatusChange.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        again = publication.publish_results(call, by=staff)
    resent = publication.send_decisions(call)

    assert (again.already, resent) == (True, 0)
    assert (len(mail.outbox), StatusChange.objects.count()) == (sent, changes)
    assert InnovationDistrict.objects.count() == 1


def test_decisions_cannot_change_after_publication(decided, staff):
    call, (a, *_rest) = decided
    publication.publish_results(call, by=staff)

    with pytest.raises(services.EvaluationError, match="published"):
        decide(a, "rejected", staff)


def test_publication_is_for_staff(decided):
    call, (a, *_rest) = decided

    with pytest.raises(PermissionDenied):
        publication.publish_results(call, by=a.created_by)

    call.refresh_from_db()
    assert call.results_published_at is None


# --- What the public and the applicant see ----------------------------------------------------


def test_results_page_is_404_before_publication(client, decided):
    call, _applications = decided

    assert client.get(reverse("evaluation:results", args=[call.slug])).status_code == 404


def test_results_page_lists_the_selected_municipalities(client, decided, staff):
    call, (a, b, c, _d) = decided
    publication.publish_results(call, by=staff)

    html = client.get(reverse("evaluation:results", args=[call.slug])).content.decode()
    call_page = client.get(call.get_absolute_url()).content.decode()

    assert a.applicant.name in html
    assert b.applicant.name not in html and c.applicant.name not in html
    assert reverse("evaluation:results", args=[call.slug]) in call_page


def test_results_page_lists_laureates_by_district(client, staff):
    d = DistrictFactory(name="Quartier Pleyel", capacity_min=0)
    call = ExperimenterCallFactory(districts=[d])
    from calls.domain import lifecycle as call_services

    project = ProjectApplicationFactory(call=call, complete=True)
    call_services.transition(project, "submit", by=project.created_by)
    take(project, "mark_eligible", "shortlist", by=staff)
    decide(project, "selected", staff, district=d)
    publication.publish_results(call, by=staff)

    html = client.get(reverse("evaluation:results", args=[call.slug])).content.decode()

    assert "Quartier Pleyel" in html
    assert "Îlots de fraîcheur connectés" in html


def test_applicant_sees_the_decision_once_published(client, decided, staff):
    call, (a, *_rest) = decided
    client.force_login(a.created_by)
    before = client.get(a.urls.review).content.decode()

    publication.publish_results(call, by=staff)
    after = client.get(a.urls.review).content.decode()

    assert ("Selected" in before, "Under review" in before) == (False, True)
    assert "Selected" in after


def test_page_markup_names_no_decision_before_publication(client, decided, staff):
    call, (a, *_rest) = decided
    client.force_login(a.created_by)
    pages = [a.urls.review, reverse("dashboard")]
    before = "".join(client.get(url).content.decode() for url in pages)

    publication.publish_results(call, by=staff)
    after = "".join(client.get(url).content.decode() for url in pages)

    assert ("status-selected" in before, "status-under_review" in before) == (False, True)
    assert ("status-selected" in after, "status-under_review" in after) == (True, False)


def test_a_call_whose_districts_cap_the_selection_has_no_call_cap(staff):
    """The call for experimenters: 3 selected with max_selected 2 is not an error, the
    districts' capacities are the caps."""
    district = DistrictFactory(capacity_min=0, capacity_max=8)
    call = ExperimenterCallFactory(districts=[district], max_selected=2)
    from calls.domain import lifecycle as call_services

    for _ in range(3):
        project = ProjectApplicationFactory(call=call, complete=True)
        call_services.transition(project, "submit", by=project.created_by)
        take(project, "mark_eligible", "shortlist", by=staff)
        decide(project, "selected", staff, district=district)

    assert publication.check(call).errors == []


def test_the_call_admin_shows_no_call_cap_where_districts_cap(client, staff):
    call = ExperimenterCallFactory()
    client.force_login(staff)

    page = client.get(reverse("admin:calls_call_change", args=[call.pk])).content.decode()

    assert 'name="max_selected"' not in page
    assert (
        'name="max_selected"'
        in client.get(reverse("admin:calls_call_change", args=[CallFactory().pk])).content.decode()
    )


def test_each_decision_email_goes_once_with_its_record(
    decided, staff, django_capture_on_commit_callbacks
):
    from evaluation import announcements
    from evaluation.models import DecisionNotice

    call, applications = decided
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_results(call, by=staff)
    release_all(staff)

    notices = DecisionNotice.objects.filter(application__call=call)
    assert notices.count() == len(applications) == len(mail.outbox)
    assert announcements.send_one(applications[0].pk) is False  # told already
    assert announcements.due(call=call) == []


def test_a_decision_the_mail_server_refused_goes_with_the_next_scan_once(
    decided, staff, django_capture_on_commit_callbacks, monkeypatch
):
    from celery.exceptions import Retry

    from calls.domain import reminders
    from evaluation.models import DecisionNotice

    call, applications = decided
    from django.core.mail.backends import locmem

    real_send = locmem.EmailBackend.send_messages
    refused = {"first": True}

    def flaky(backend, messages):  # the mail server refuses the first e-mail
        if refused["first"]:
            refused["first"] = False
            raise OSError("mail server down")
        return real_send(backend, messages)

    OutboxRule.objects.create(kind="decision", hold=False)  # staff chose not to review them
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", flaky)
    with (  # the e-mails go once the publication commits; the refusal is retried
        pytest.raises((reminders.ReminderDeliveryError, Retry)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        publication.publish_results(call, by=staff)
    # Every decision was claimed before it went; the refused one stays claimed, not sent.
    assert DecisionNotice.objects.count() == len(applications)
    assert Delivery.objects.unsent().count() == 1 and len(mail.outbox) == len(applications) - 1

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        reminders.send_due()  # beat's next scan
        reminders.send_due()

    assert DecisionNotice.objects.count() == len(applications)
    assert len(mail.outbox) == len(applications)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        {m.to[0] for m in mail.outbox}
    )  # nobody twice
