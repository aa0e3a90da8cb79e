"""The staff's side of the selection in the admin: bulk transitions (with their confirmation
page and per-application refusals), forged action POSTs, the application's page (scores,
reviews, e-mails, what changed), the ranking page and its decisions, the publication page,
the declarations export and the scores in the table exports."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone, translation

from calls.domain.workflow import Status
from calls.interfaces import exports
from calls.models import Application, CorrectionRequest, ExportJob
from evaluation.models import Decision
from tests.factories import (
    CallFactory,
    CriterionFactory,
    JuryMemberFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    assigned,
    close,
    jury,
    scored,
    take,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:calls_application_changelist"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def call():
    return CallFactory()


@pytest.fixture
def applications(call):
    """Three submitted applications to a call closed yesterday."""
    applications = [SubmittedApplicationFactory(call=call) for _ in range(3)]
    close(call)
    return applications


def statuses(applications):
    return [Application.objects.get(pk=a.pk).status for a in applications]


def action(name, applications, **extra):
    return {
        "action": f"take_{name}",
        ACTION_CHECKBOX_NAME: [a.pk for a in applications],
        **extra,
    }


# --- Bulk transitions -------------------------------------------------------------------------


def test_bulk_mark_eligible_reports_refusals_per_application(staff_client, staff, applications):
    a, b, c = applications
    take(c, "mark_ineligible", by=staff)

    response = staff_client.post(
        reverse(CHANGELIST), action("mark_eligible", applications), follow=True
    )

    html = response.content.decode()
    assert statuses(applications) == [Status.ELIGIBLE, Status.ELIGIBLE, Status.INELIGIBLE]
    assert "done for 2 applications" in html
    assert f"{c.reference} unchanged" in html


def test_bulk_mark_ineligible_asks_the_reason_first(staff_client, applications):
    first = staff_client.post(reverse(CHANGELIST), action("mark_ineligible", applications[:2]))
    missing = staff_client.post(
        reverse(CHANGELIST), action("mark_ineligible", applications[:2], apply="1", note="")
    )

    assert first.status_code == 200
    assert 'name="note"' in first.content.decode()
    assert "This field is required." in missing.content.decode()
    assert statuses(applications) == [Status.SUBMITTED] * 3

    staff_client.post(
        reverse(CHANGELIST),
        action("mark_ineligible", applications[:2], apply="1", note="Commune hors MGP."),
    )

    assert statuses(applications) == [Status.INELIGIBLE, Status.INELIGIBLE, Status.SUBMITTED]


def test_bulk_request_correction_with_a_due_date(staff_client, applications):
    due = (timezone.localdate() + timedelta(days=10)).isoformat()

    staff_client.post(
        reverse(CHANGELIST),
        action(
            "request_correction", applications[:1], apply="1", note="Le plan manque.", due_on=due
        ),
    )

    request = CorrectionRequest.objects.get()
    assert statuses(applications)[0] == Status.CORRECTION_REQUESTED
    assert (request.message, timezone.localtime(request.due_at).date().isoformat()) == (
        "Le plan manque.",
        due,
    )


def test_bulk_request_correction_due_date_in_the_past_refused(staff_client, applications):
    past = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = staff_client.post(
        reverse(CHANGELIST),
        action("request_correction", applications[:1], apply="1", note="Plan.", due_on=past),
    )

    assert "The due date must be in the future." in response.content.decode()
    assert statuses(applications)[0] == Status.SUBMITTED


def test_no_bulk_action_for_decisions(staff_client, applications):
    html = staff_client.get(reverse(CHANGELIST)).content.decode()

    assert 'value="take_mark_eligible"' in html
    assert 'value="take_select"' not in html


def test_forged_action_post_by_a_non_staff_user_changes_nothing(client, applications):
    applicant = applications[0].created_by
    client.force_login(applicant)

    response = client.post(reverse(CHANGELIST), action("mark_eligible", applications))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert statuses(applications) == [Status.SUBMITTED] * 3


def test_forged_action_post_by_staff_without_permission_changes_nothing(client, applications):
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(clerk)

    client.post(reverse(CHANGELIST), action("mark_eligible", applications))

    assert statuses(applications) == [Status.SUBMITTED] * 3


def test_forged_decision_post_by_a_non_staff_user_changes_nothing(client, call, applications):
    client.force_login(applications[0].created_by)

    response = client.post(reverse("admin:calls_call_publish", args=[call.pk]))

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.results_published_at is None


# --- The application's page -------------------------------------------------------------------


def test_application_page_shows_scores_reviews_changes_and_emails(
    staff_client, staff, call, applications, django_capture_on_commit_callbacks
):
    a = applications[0]
    CriterionFactory(call=call, weight=1, scale_max=5)
    member = JuryMemberFactory(call=call)
    review = scored(assigned(member, a, conflict=False), [4])
    review.overall_opinion = "Très convaincant."
    review.save()
    with django_capture_on_commit_callbacks(execute=True):
        take(
            a,
            "request_correction",
            by=staff,
            note="Précisez.",
            due_at=timezone.now() + timedelta(days=3),
        )
    content = Application.objects.get(pk=a.pk).content
    content.district_name = "Quartier corrigé"
    content.save()
    from calls.domain import lifecycle

    lifecycle.transition(Application.objects.get(pk=a.pk), "resubmit", by=a.created_by)

    html = staff_client.get(reverse("admin:calls_application_change", args=[a.pk])).content.decode()

    assert "Très convaincant." in html
    assert "Quartier corrigé" in html and "Quartier de la gare" in html  # before / after
    assert "Précisez." in html  # the correction request
    assert "E-mails sent" in html and "a correction is requested" in html  # the e-mail
    assert "Correction requests" in html and 'id="decision-heading"' in html
    assert "mean: 4.00" in html


def test_changelist_shows_the_jury_columns(staff_client, call, applications):
    CriterionFactory(call=call, weight=1, scale_max=5)
    jury(call, threshold=1)
    for value in (1, 5):
        scored(assigned(JuryMemberFactory(call=call), applications[0], conflict=False), [value])

    html = staff_client.get(reverse(CHANGELIST)).content.decode()

    assert "jury mean" in html.lower()
    assert "3.00" in html  # mean of 1 and 5
    assert "2.83 ⚑" in html  # spread √8 above the threshold 1


# --- Ranking, decisions, publication ----------------------------------------------------------


@pytest.fixture
def ranked(call, applications, staff):
    """A, B shortlisted with reviews (A better); C eligible without review."""
    CriterionFactory(call=call, weight=1, scale_max=5)
    jury(call, phase="deliberation")
    a, b, c = applications
    take(a, "mark_eligible", "shortlist", by=staff)
    take(b, "mark_eligible", "shortlist", by=staff)
    take(c, "mark_eligible", by=staff)
    member = JuryMemberFactory(call=call)
    scored(assigned(member, a, conflict=False), [5])
    scored(assigned(member, b, conflict=False), [2])
    return a, b, c


def decision_form(rows):
    data = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows)}
    for index, (application, outcome, reason) in enumerate(rows):
        data[f"form-{index}-application"] = application.pk
        data[f"form-{index}-outcome"] = outcome
        data[f"form-{index}-reason_shared"] = reason
    return data


def test_ranking_page_orders_by_score(staff_client, call, ranked):
    a, b, c = ranked

    html = staff_client.get(reverse("admin:calls_call_ranking", args=[call.pk])).content.decode()

    assert html.index(a.reference) < html.index(b.reference) < html.index(c.reference)


def test_ranking_page_records_decisions_and_reports_refusals(staff_client, call, ranked):
    a, b, c = ranked

    response = staff_client.post(
        reverse("admin:calls_call_ranking", args=[call.pk]),
        decision_form([(a, "selected", "Bravo."), (b, "rejected", ""), (c, "selected", "")]),
        follow=True,
    )

    html = response.content.decode()
    assert dict(Decision.objects.values_list("application__reference", "outcome")) == {
        a.reference: "selected",
        b.reference: "rejected",
    }
    assert "2 decisions recorded" in html
    assert f"{c.reference} unchanged" in html
    assert statuses(ranked) == [Status.SHORTLISTED, Status.SHORTLISTED, Status.ELIGIBLE]


def test_publish_page_lists_what_stops_then_publishes(staff_client, call, ranked):
    a, b, c = ranked
    url = reverse("admin:calls_call_publish", args=[call.pk])
    staff_client.post(
        reverse("admin:calls_call_ranking", args=[call.pk]),
        decision_form([(a, "selected", ""), (b, "rejected", "")]),
    )

    blocked = staff_client.get(url).content.decode()
    staff_client.post(
        reverse("admin:calls_call_ranking", args=[call.pk]),
        decision_form([(a, "selected", ""), (b, "rejected", ""), (c, "rejected", "")]),
    )
    staff_client.post(url)

    call.refresh_from_db()
    assert f"1 application under review has no decision: {c.reference}." in blocked
    assert call.results_published_at is not None
    assert statuses(ranked) == [Status.SELECTED, Status.REJECTED, Status.REJECTED]


def test_call_page_links_the_ranking(staff_client, call):
    html = staff_client.get(reverse("admin:calls_call_change", args=[call.pk])).content.decode()

    assert reverse("admin:calls_call_ranking", args=[call.pk]) in html


# --- Exports ----------------------------------------------------------------------------------


def test_declarations_csv_neutralises_formulas(staff_client, call, applications):
    member = JuryMemberFactory(call=call)
    assigned(member, applications[0], conflict=True, reason='=HYPERLINK("x")')
    assigned(member, applications[1], conflict=False)

    response = staff_client.get(reverse("admin:calls_call_declarations", args=[call.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Reference", "Applicant", "Jury member", "Conflict of interest"]
    assert [(r[3], r[4]) for r in rows[1:]] == [("yes", '\'=HYPERLINK("x")'), ("no", "")]


def test_table_export_has_the_scores_for_staff_only(staff, call, applications):
    CriterionFactory(call=call, weight=1, scale_max=5)
    member = JuryMemberFactory(call=call)
    scored(assigned(member, applications[0], conflict=False), [3])
    ids = [a.pk for a in applications]
    staff_job = ExportJob(requested_by=staff, format="csv")
    jury_job = ExportJob(requested_by=member.user, format="csv")

    staff_headers = [h for h, _read in exports.table_columns(ids, staff_job)]
    jury_headers = [h for h, _read in exports.table_columns(ids, jury_job)]
    values = {h: read(applications[0]) for h, read in exports.table_columns(ids, staff_job)}

    assert "Jury: normalised mean" in staff_headers
    assert not [h for h in jury_headers if h.startswith("Jury")]
    assert (values["Jury: reviews counted"], values["Jury: mean"]) == (1, 3.0)


def test_table_export_cells_are_neutralised(staff, call, applications):
    content = applications[0].content
    content.district_name = "=1+1"
    content.save()
    job = ExportJob.objects.create(requested_by=staff, format="csv", filters={"call": call.pk})

    written = io.BytesIO()
    exports.build_csv(job, [applications[0].pk], written)

    cells = written.getvalue().decode("utf-8-sig").splitlines()[1].split(";")
    assert "'=1+1" in cells


def test_assign_automatically_from_the_ranking_page(staff_client, staff, call, applications):
    jury(call, k=1)
    for application in applications:
        take(application, "mark_eligible", by=staff)
    member = JuryMemberFactory(call=call)

    response = staff_client.post(reverse("admin:calls_call_assign", args=[call.pk]), follow=True)

    assert "3 assignments created." in response.content.decode()
    assert member.assignments.count() == 3


def test_assign_automatically_refuses_a_get(staff_client, call):
    assert staff_client.get(reverse("admin:calls_call_assign", args=[call.pk])).status_code == 403
