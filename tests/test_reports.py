"""The reports of an experimentation: the schedule and the due dates it gives, the draft that
autosaves, the files, the submission (complete, fingerprinted, a version, told by e-mail),
changes asked by staff and the versions compared, who reaches each page, the reminders before
the due date and the notice once late (each exactly once), the admin."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.contrib.admin import helpers
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from calls.domain import reminders
from experimenters import experimentation as flow
from experimenters import reports
from experimenters.models import (
    AgreementDocument,
    ProgrammeSettings,
    Report,
    ReportFile,
    ReportMilestone,
    ReportReminder,
    ReportStatus,
)
from tests.factories import (
    OrganisationFactory,
    ProjectApplicationFactory,
    UserFactory,
    pdf_upload,
    people_around,
    png_upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

START = date(2025, 3, 3)
PARIS = timezone.get_default_timezone()


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def experimentation(staff):
    project = ProjectApplicationFactory(organisation=OrganisationFactory())
    district = project.call.districts.order_by("pk").first()
    with time_machine.travel(paris(2025, 3, 3, 9), tick=False):
        experimentation, _created = flow.create_for(project, district=district, by=staff)
    experimentation.manager = staff
    experimentation.save()
    return experimentation


def started(experimentation, staff, on=START):
    """Move ``experimentation`` to running on ``on`` (its documents accepted)."""
    for key in flow.required_documents(experimentation.application.call.edition):
        AgreementDocument.objects.create(
            experimentation=experimentation,
            kind=key,
            file="x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=staff,
            state=AgreementDocument.State.ACCEPTED,
        )
    moment = paris(on.year, on.month, on.day, 10)
    for name in ("sign", "deploy", "start"):
        flow.transition(experimentation, name, by=staff, now=moment)
    experimentation.refresh_from_db()
    return experimentation


@pytest.fixture
def people(experimentation, staff):
    return people_around(experimentation, staff)


def first(experimentation):
    return experimentation.reports.order_by("due_at").first()


def fill(report, *, by):
    report.progress = "Capteurs posés sur la place du marché."
    report.save()
    report.indicators.create(
        name="Passages mesurés", unit="passages/jour", baseline="0", target="500", value="320"
    )
    return report


# --- the schedule ------------------------------------------------------------------------


def test_each_experimentation_gets_the_reports_of_the_default_schedule(experimentation):
    titles = list(
        experimentation.reports.order_by("due_at").values_list("milestone__title_en", flat=True)
    )

    assert titles == ["Kick-off report", "Deployment report", "Interim report", "Final report"]
    kick_off = first(experimentation)
    assert kick_off.due_at == paris(2025, 3, 18, 23, 59, 59)  # planned start + 15 days
    assert kick_off.status == ReportStatus.DRAFT


def test_the_due_dates_count_from_the_actual_start(experimentation, staff):
    started(experimentation, staff, on=date(2025, 5, 12))

    dues = [r.due_at.astimezone(PARIS).date() for r in experimentation.reports.order_by("due_at")]
    assert dues == [date(2025, 5, 27), date(2025, 7, 12), date(2026, 2, 12), date(2026, 11, 12)]


def test_scheduling_again_changes_nothing_and_a_filed_report_keeps_its_date(experimentation, staff):
    filed = first(experimentation)
    Report.objects.filter(pk=filed.pk).update(submitted_at=filed.due_at)

    assert reports.schedule(experimentation) == 0
    started(experimentation, staff, on=date(2025, 6, 2))

    assert experimentation.reports.count() == 4
    filed.refresh_from_db()
    assert filed.due_at == paris(2025, 3, 18, 23, 59, 59)


def test_staff_adding_a_milestone_gives_it_to_every_experimentation(admin_client, experimentation):
    edition = experimentation.application.call.edition
    response = admin_client.post(
        reverse("admin:experimenters_reportmilestone_add"),
        {
            "edition": edition.pk,
            "title": "Rapport de mi-parcours",
            "title_en": "Mid-term report",
            "months": 12,
            "days": 0,
        },
    )

    assert response.status_code == 302
    assert experimentation.reports.filter(milestone__title_en="Mid-term report").count() == 1


# --- writing and filing ---------------------------------------------------------------------


def test_a_member_writes_the_report_and_the_autosave_keeps_it(client, experimentation, people):
    report = first(experimentation)
    client.force_login(people["colleague"])
    url = reverse("experimenters:report_autosave", kwargs={"pk": report.pk})

    response = client.post(
        url,
        {
            "progress": "Installation terminée",
            "indicators-TOTAL_FORMS": "1",
            "indicators-INITIAL_FORMS": "0",
            "indicators-0-name": "Usagers",
            "indicators-0-target": "200",
            "indicators-0-value": "150",
        },
        headers={"x-requested-with": "XMLHttpRequest"},
    )

    assert response.status_code == 200 and response.json()["ok"] is True
    report.refresh_from_db()
    assert report.progress == "Installation terminée"
    assert list(report.indicators.values_list("name", "value")) == [("Usagers", "150")]


def test_a_malformed_row_is_named_and_everything_else_is_saved(client, experimentation, people):
    report = first(experimentation)
    client.force_login(people["owner"])

    response = client.post(
        reverse("experimenters:report_autosave", kwargs={"pk": report.pk}),
        {
            "progress": "Ce qui a été fait",
            "difficulties": "Météo",
            "indicators-TOTAL_FORMS": "1",
            "indicators-INITIAL_FORMS": "0",
            "indicators-0-value": "12",
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"]
    report.refresh_from_db()
    assert report.difficulties == "Météo"


def test_the_form_shows_the_indicators_of_the_last_filed_report(client, experimentation, people):
    filed, following = list(experimentation.reports.order_by("due_at"))[:2]
    fill(filed, by=people["owner"])
    Report.objects.filter(pk=filed.pk).update(submitted_at=filed.due_at)
    client.force_login(people["owner"])

    response = client.get(reverse("experimenters:report_edit", kwargs={"pk": following.pk}))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Passages mesurés"' in body
    assert 'value="320"' not in body  # the value is measured again


def test_photos_and_documents_are_attached_and_removed(client, experimentation, people):
    report = first(experimentation)
    client.force_login(people["owner"])
    url = reverse("experimenters:report_edit", kwargs={"pk": report.pk})

    response = client.post(
        url,
        {
            "action": "save",
            "indicators-TOTAL_FORMS": "0",
            "indicators-INITIAL_FORMS": "0",
            "photos": png_upload("site.png"),
            "documents": pdf_upload("compte-rendu.pdf"),
        },
    )

    assert response.status_code == 302
    assert sorted(report.files.values_list("slot", "original_name")) == [
        ("documents", "compte-rendu.pdf"),
        ("photos", "site.png"),
    ]
    photo = report.files.get(slot=ReportFile.PHOTOS)
    client.post(
        reverse("experimenters:report_file_delete", kwargs={"pk": report.pk, "file_pk": photo.pk})
    )
    assert list(report.files.values_list("slot", flat=True)) == ["documents"]


def test_a_file_that_is_not_a_pdf_saves_nothing(client, experimentation, people):
    report = first(experimentation)
    client.force_login(people["owner"])

    response = client.post(
        reverse("experimenters:report_edit", kwargs={"pk": report.pk}),
        {
            "action": "save",
            "progress": "Texte tapé",
            "indicators-TOTAL_FORMS": "0",
            "indicators-INITIAL_FORMS": "0",
            "documents": png_upload("not-a.pdf"),
        },
    )

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert "Texte tapé" in response.content.decode()  # what was typed is shown again
    report.refresh_from_db()
    assert report.progress == "" and not report.files.exists()


def test_an_incomplete_report_is_refused_with_what_is_missing(client, experimentation, people):
    report = first(experimentation)
    client.force_login(people["owner"])

    page = client.get(reverse("experimenters:report", kwargs={"pk": report.pk}))
    response = client.post(
        reverse("experimenters:report_submit", kwargs={"pk": report.pk}), follow=True
    )

    assert "Describe the progress since the last report." in page.content.decode()
    assert "The report is incomplete: 2 items missing." in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and not report.versions.exists()


def test_a_complete_report_is_filed_and_everyone_following_it_is_told(
    client, experimentation, people, mailoutbox, django_capture_on_commit_callbacks
):
    referent = UserFactory()
    experimentation.referents.add(referent)
    report = fill(first(experimentation), by=people["owner"])
    client.force_login(people["colleague"])

    with (
        time_machine.travel(paris(2025, 3, 17, 15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("experimenters:report_submit", kwargs={"pk": report.pk}), follow=True
        )

    assert "Your report is submitted" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert len(report.fingerprint) == 64 and report.versions.count() == 1
    assert not report.submitted_late
    (message,) = [m for m in mailoutbox if "submitted" in m.subject]
    assert set(message.to) >= {
        people["owner"].email,
        people["colleague"].email,
        people["staff"].email,
        referent.email,
    }
    assert report.fingerprint in message.body


def test_a_report_filed_after_its_due_date_is_accepted_and_shown_late(
    client, experimentation, people, staff
):
    started(experimentation, staff)
    report = fill(first(experimentation), by=people["owner"])

    with time_machine.travel(report.due_at + timedelta(seconds=1), tick=False):
        reports.transition(report, "submit", by=people["owner"])

    assert report.submitted_late
    client.force_login(people["owner"])
    body = client.get(reverse("experimenters:experimentation", kwargs={"pk": experimentation.pk}))
    assert "filed late" in body.content.decode()


def test_staff_ask_for_changes_and_the_second_version_shows_what_changed(
    client, experimentation, people, staff, mailoutbox, django_capture_on_commit_callbacks
):
    report = fill(first(experimentation), by=people["owner"])
    reports.transition(report, "submit", by=people["owner"])
    due = timezone.now() + timedelta(days=10)

    with pytest.raises(reports.WorkflowError, match="reason"):
        reports.transition(report, "request_changes", by=staff, due_at=due)
    with django_capture_on_commit_callbacks(execute=True):
        reports.transition(
            report, "request_changes", by=staff, note="Ajoutez les photos du site.", due_at=due
        )

    assert report.status == ReportStatus.CHANGES_REQUESTED and report.due_at == due
    (asked,) = [m for m in mailoutbox if "Changes requested" in m.subject]
    assert "Ajoutez les photos du site." in asked.body
    report.progress = "Capteurs posés et photographiés."
    report.save()
    reports.transition(report, "submit", by=people["owner"])
    client.force_login(staff)
    body = client.get(reverse("experimenters:report", kwargs={"pk": report.pk})).content.decode()
    assert "What changed from version 1 to version 2" in body
    assert "Capteurs posés et photographiés." in body
    reports.transition(report, "accept", by=staff)
    assert report.status == ReportStatus.ACCEPTED


def test_a_filed_report_can_no_longer_be_changed(client, experimentation, people):
    report = fill(first(experimentation), by=people["owner"])
    reports.transition(report, "submit", by=people["owner"])
    client.force_login(people["owner"])

    response = client.post(
        reverse("experimenters:report_autosave", kwargs={"pk": report.pk}),
        {"progress": "Autre chose", "indicators-TOTAL_FORMS": "0", "indicators-INITIAL_FORMS": 0},
    )

    assert response.status_code == 409
    report.refresh_from_db()
    assert report.progress == "Capteurs posés sur la place du marché."


# --- who reaches what -------------------------------------------------------------------------


def _urls(report, file_pk):
    return {
        "page": reverse("experimenters:report", kwargs={"pk": report.pk}),
        "form": reverse("experimenters:report_edit", kwargs={"pk": report.pk}),
        "file": reverse("experimenters:report_file", kwargs={"pk": report.pk, "file_pk": file_pk}),
    }


@pytest.fixture
def filed(experimentation, people):
    report = fill(first(experimentation), by=people["owner"])
    reports.attach(report, "documents", pdf_upload("bilan.pdf"), by=people["owner"])
    reports.transition(report, "submit", by=people["owner"])
    return report


@pytest.mark.parametrize(
    ("who", "page", "form"),
    [
        ("owner", 200, 302),  # the form of a filed report sends back to the report
        ("colleague", 200, 302),
        ("municipality", 200, 404),
        ("staff", 200, 404),
        ("other organisation", 404, 404),
        ("other municipality", 404, 404),
        ("jury member", 404, 404),
        ("signed in, nobody", 404, 404),
    ],
)
def test_who_reaches_a_filed_report(client, filed, people, who, page, form):
    urls = _urls(filed, filed.files.get().pk)
    client.force_login(people[who])

    assert client.get(urls["page"]).status_code == page
    assert client.get(urls["file"]).status_code == page
    assert client.get(urls["form"]).status_code == form


def test_the_municipality_reads_a_report_only_once_it_is_filed(client, experimentation, people):
    report = first(experimentation)
    client.force_login(people["municipality"])

    assert client.get(reverse("experimenters:report", kwargs={"pk": report.pk})).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, filed):
    for url in _urls(filed, filed.files.get().pk).values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("who", ["municipality", "staff", "other organisation"])
def test_only_its_members_write_or_submit_a_report(client, experimentation, people, who):
    report = fill(first(experimentation), by=people["owner"])
    client.force_login(people[who])

    saved = client.post(
        reverse("experimenters:report_autosave", kwargs={"pk": report.pk}), {"progress": "X"}
    )
    submitted = client.post(reverse("experimenters:report_submit", kwargs={"pk": report.pk}))

    assert (saved.status_code, submitted.status_code) == (404, 404)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.progress.startswith("Capteurs")


# --- reminders ----------------------------------------------------------------------------


def _send(moment):
    with time_machine.travel(moment, tick=False):
        return reminders.send_due()


def test_reminders_before_the_due_date_and_the_late_notice_go_once_each(
    experimentation, staff, people, mailoutbox
):
    started(experimentation, staff)
    report = first(experimentation)  # due 18 March 2025 23:59:59
    due = report.due_at

    _send(due - timedelta(days=20))
    assert not ReportReminder.objects.exists()  # no offset has come yet
    _send(due - timedelta(days=13))
    _send(due - timedelta(days=12))
    _send(due - timedelta(days=2))
    _send(due - timedelta(days=1))
    _send(due + timedelta(seconds=1))
    _send(due + timedelta(days=5))

    sent = list(ReportReminder.objects.filter(report=report).values_list("offset", flat=True))
    assert sent == [336, 72, ReportReminder.LATE]
    subjects = [m.subject for m in mailoutbox if "Kick-off report" in m.subject]
    assert len(subjects) == 3
    assert sum("Late" in s for s in subjects) == 1
    assert people["owner"].email in mailoutbox[-1].to


def test_a_report_is_not_reminded_before_the_experimentation_starts(experimentation, mailoutbox):
    report = first(experimentation)

    _send(report.due_at - timedelta(days=1))
    _send(report.due_at + timedelta(days=1))

    assert not ReportReminder.objects.exists() and not mailoutbox


def test_a_filed_report_is_not_reminded(experimentation, staff, people):
    started(experimentation, staff)
    report = fill(first(experimentation), by=people["owner"])
    reports.transition(report, "submit", by=people["owner"])

    _send(report.due_at + timedelta(days=1))

    assert not ReportReminder.objects.exists()


def test_a_new_due_date_has_its_own_reminders(experimentation, staff, people):
    started(experimentation, staff)
    report = fill(first(experimentation), by=people["owner"])
    _send(report.due_at - timedelta(days=2))  # the 3-day reminder of the first due date
    with time_machine.travel(report.due_at - timedelta(days=1), tick=False):
        reports.transition(report, "submit", by=people["owner"])
        reports.transition(
            report,
            "request_changes",
            by=staff,
            note="Précisez la méthode.",
            due_at=report.due_at + timedelta(days=20),
        )

    _send(report.due_at - timedelta(days=2))

    assert ReportReminder.objects.filter(report=report, offset=72).count() == 2


def test_sending_one_reminder_twice_sends_it_once(experimentation, staff, mailoutbox):
    started(experimentation, staff)
    report = first(experimentation)
    moment = report.due_at + timedelta(hours=1)

    with time_machine.travel(moment, tick=False):
        assert reports.due() == [(report.pk, ReportReminder.LATE)]
        assert reports.send_one(report.pk, ReportReminder.LATE) is True
        assert reports.send_one(report.pk, ReportReminder.LATE) is False
        assert reports.due() == []

    assert len(mailoutbox) == 1


def test_the_edition_chooses_the_reminders(experimentation, staff):
    ProgrammeSettings.objects.create(
        edition=experimentation.application.call.edition, report_reminders="7d"
    )
    started(experimentation, staff)
    report = first(experimentation)

    _send(report.due_at - timedelta(days=10))
    _send(report.due_at - timedelta(days=6))

    assert list(ReportReminder.objects.values_list("offset", flat=True)) == [168]


# --- staff ------------------------------------------------------------------------------------


def test_staff_see_the_late_reports_and_accept_in_bulk(admin_client, experimentation, staff):
    started(experimentation, staff)
    late_one = first(experimentation)
    url = reverse("admin:experimenters_report_changelist")

    with time_machine.travel(late_one.due_at + timedelta(days=1), tick=False):
        response = admin_client.get(url, {"late": "yes"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [late_one]

    fill(late_one, by=staff)
    reports.transition(
        late_one, "submit", by=experimentation.application.applicant.organisation.owner()
    )
    response = admin_client.post(
        url, {"action": "take_accept", helpers.ACTION_CHECKBOX_NAME: [late_one.pk]}
    )
    late_one.refresh_from_db()
    assert late_one.status == ReportStatus.ACCEPTED


def test_staff_ask_for_changes_from_the_admin_with_a_due_date(admin_client, filed):
    url = reverse("admin:experimenters_report_changelist")
    due_on = (timezone.localdate() + timedelta(days=7)).isoformat()

    confirm = admin_client.post(
        url, {"action": "take_request_changes", helpers.ACTION_CHECKBOX_NAME: [filed.pk]}
    )
    admin_client.post(
        url,
        {
            "action": "take_request_changes",
            helpers.ACTION_CHECKBOX_NAME: [filed.pk],
            "apply": "1",
            "note": "Ajoutez la méthode de comptage.",
            "due_on": due_on,
        },
    )

    assert confirm.status_code == 200
    filed.refresh_from_db()
    assert filed.status == ReportStatus.CHANGES_REQUESTED
    assert filed.due_at.astimezone(PARIS).date().isoformat() == due_on


def test_the_board_flags_late_reports(admin_client, experimentation, staff):
    started(experimentation, staff)
    url = reverse("admin:experimenters_experimentation_board")

    with time_machine.travel(first(experimentation).due_at + timedelta(days=1), tick=False):
        late = admin_client.get(url, {"late_only": "on"})
        export = admin_client.get(url, {"late_only": "on", "export": "csv"})

    assert "1 en retard" in late.content.decode()  # the admin speaks French by default
    header, row = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()[:2]
    assert header.split(";")[-1] == "Rapports en retard"
    assert row.split(";")[-1] == "1"


def test_the_default_schedule_is_written_once_per_edition(experimentation, staff):
    edition = experimentation.application.call.edition
    project = ProjectApplicationFactory(organisation=OrganisationFactory())
    project.call.edition = edition
    project.call.save()
    flow.create_for(project, district=experimentation.district, by=staff)

    assert reports.schedule_of(edition) == list(ReportMilestone.objects.filter(edition=edition))
    assert ReportMilestone.objects.filter(edition=edition).count() == 4
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportMilestone.objects.create(edition=edition, title="Rapport final", months=20)


# --- the spaces -----------------------------------------------------------------------------


def test_my_space_shows_the_next_report_to_write_and_the_late_ones(
    client, experimentation, staff, people
):
    started(experimentation, staff)
    kick_off = first(experimentation)
    client.force_login(people["colleague"])

    with time_machine.travel(kick_off.due_at + timedelta(days=1), tick=False):
        body = client.get(reverse("dashboard")).content.decode()

    assert "Next report to write: the Kick-off report" in body
    assert "1 report is late." in body
    assert reverse("experimenters:report", kwargs={"pk": kick_off.pk}) in body


def test_the_list_shows_the_next_report_due_in_a_bounded_number_of_queries(
    client, staff, people, experimentation, django_assert_max_num_queries
):
    started(experimentation, staff)
    client.force_login(people["municipality"])
    url = reverse("experimenters:experimentations")
    with time_machine.travel(first(experimentation).due_at + timedelta(days=1), tick=False):
        client.get(url)  # warm-up (session, translations)
        with django_assert_max_num_queries(8) as few:  # noqa: SIM117 — measured apart
            body = client.get(url).content.decode()

    assert "1 late report" in body
    for _ in range(3):  # three more experimentations in the same district
        project = ProjectApplicationFactory(organisation=OrganisationFactory())
        started(flow.create_for(project, district=experimentation.district, by=staff)[0], staff)
    with (
        time_machine.travel(first(experimentation).due_at + timedelta(days=1), tick=False),
        django_assert_max_num_queries(len(few.captured_queries)),
    ):
        body = client.get(url).content.decode()
    assert body.count("1 late report") == 4


@pytest.mark.parametrize("who", ["municipality", "staff", "other organisation", "jury member"])
def test_only_its_members_remove_a_file_of_a_report(client, experimentation, people, who):
    report = first(experimentation)
    kept = reports.attach(report, "documents", pdf_upload("plan.pdf"), by=people["owner"])
    client.force_login(people[who])

    response = client.post(
        reverse("experimenters:report_file_delete", kwargs={"pk": report.pk, "file_pk": kept.pk})
    )

    assert response.status_code == 404
    assert report.files.filter(pk=kept.pk).exists()


def test_while_its_members_change_it_the_municipality_reads_what_was_filed(
    client, experimentation, people, staff
):
    report = fill(first(experimentation), by=people["owner"])
    reports.transition(report, "submit", by=people["owner"])
    reports.transition(
        report,
        "request_changes",
        by=staff,
        note="Précisez la méthode.",
        due_at=timezone.now() + timedelta(days=7),
    )
    report.progress = "Brouillon en cours de reprise"
    report.save()
    page = reverse("experimenters:report", kwargs={"pk": report.pk})

    client.force_login(people["municipality"])
    seen_by_municipality = client.get(page).content.decode()
    client.force_login(people["owner"])
    seen_by_member = client.get(page).content.decode()

    assert "Capteurs posés sur la place du marché." in seen_by_municipality
    assert "Brouillon en cours de reprise" not in seen_by_municipality
    assert "you read what it filed last" in seen_by_municipality
    assert "Brouillon en cours de reprise" in seen_by_member
