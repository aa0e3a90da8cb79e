"""What users stumbled on in the selection ("Every journey in a real browser"): the decisions
offered on the ranking page and what happens to a refused row, the publication page naming the
applications without a decision, the jury's dossier packs, and withdrawing an organisation's
project as a member who is not its owner."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from calls.domain.workflow import Status
from calls.models import ExportJob
from evaluation.models import Decision
from tests.factories import (
    CallFactory,
    CriterionFactory,
    DistrictFactory,
    JuryMemberFactory,
    ProjectApplicationFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    assigned,
    close,
    jury,
    member_of,
    scored,
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


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def call():
    return CallFactory()


@pytest.fixture
def ranked(call, staff):
    """A, B shortlisted with reviews (A better); C only eligible, without review."""
    applications = [SubmittedApplicationFactory(call=call) for _ in range(3)]
    close(call)
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


def ranking_url(call):
    return reverse("admin:calls_call_ranking", args=[call.pk])


def shortlist_url(call):
    changelist = reverse("admin:calls_application_changelist")
    return f"{changelist}?call__id__exact={call.pk}&amp;status__exact=eligible"


def options_of(html, name):
    """The values of the options of the select ``name`` as rendered."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def row_index(response, application):
    forms = response.context["formset"].forms
    return next(i for i, f in enumerate(forms) if f.initial["application"] == application.pk)


def decision_form(rows):
    data = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows)}
    for index, (application, outcome, reason) in enumerate(rows):
        data[f"form-{index}-application"] = application.pk
        data[f"form-{index}-outcome"] = outcome
        data[f"form-{index}-reason_shared"] = reason
    return data


# --- 1. Ranking and decisions -----------------------------------------------------------------


def test_ranking_offers_an_eligible_application_only_not_selected_and_says_shortlist_first(
    staff_client, call, ranked
):
    a, _b, c = ranked

    response = staff_client.get(ranking_url(call))

    html = response.content.decode()
    assert options_of(html, f"form-{row_index(response, c)}-outcome") == ["", "rejected"]
    assert options_of(html, f"form-{row_index(response, a)}-outcome") == [
        "",
        "selected",
        "waitlisted",
        "rejected",
    ]
    assert "shortlist it first" in html
    assert shortlist_url(call) in html


def test_a_refused_row_keeps_what_staff_typed_with_its_error_next_to_it(staff_client, call, ranked):
    a, b, c = ranked
    reason = "Très bon dossier, à revoir en comité."

    response = staff_client.post(
        ranking_url(call),
        decision_form([(a, "selected", "Bravo."), (b, "rejected", ""), (c, "selected", reason)]),
    )

    assert response.status_code == 200  # rendered again, not redirected to a blank page
    html = response.content.decode()
    assert reason in html  # what staff typed is still in the row
    row_errors = re.search(rf'id="errors-{c.reference}">(.*?)</ul>', html, re.S).group(1)
    assert "Shortlist it first" in row_errors
    assert dict(Decision.objects.values_list("application__reference", "outcome")) == {
        a.reference: "selected",
        b.reference: "rejected",
    }
    assert "2 decisions recorded" in html


def test_publication_page_lists_the_applications_without_a_decision_and_what_to_do(
    staff_client, call, ranked
):
    a, b, c = ranked
    staff_client.post(ranking_url(call), decision_form([(a, "selected", "")]))

    html = staff_client.get(reverse("admin:calls_call_publish", args=[call.pk])).content.decode()

    section = html[html.index('id="undecided"') :]
    for application in (b, c):
        link = reverse("admin:calls_application_change", args=[application.pk])
        assert f'<a href="{link}">{application.reference}</a>' in section
    assert reverse("admin:calls_application_change", args=[a.pk]) not in section
    assert "Shortlist it, or decide “Not selected” on the ranking page." in section
    assert shortlist_url(call) in section
    assert ranking_url(call) in section


# --- 2. Jury packs ----------------------------------------------------------------------------


@pytest.fixture
def juror_calls(staff):
    """A juror who reads one application of ``mine``; ``other`` is a call they do not sit on."""
    mine, other = CallFactory(), CallFactory()
    application = SubmittedApplicationFactory(call=mine)
    SubmittedApplicationFactory(call=other)
    close(mine)
    take(application, "mark_eligible", by=staff)
    seat = JuryMemberFactory(call=mine)
    assigned(seat, application, conflict=False)
    return seat.user, mine, other


def test_jury_space_links_the_packs_of_each_call(client, juror_calls):
    juror, mine, _other = juror_calls
    client.force_login(juror)
    pack = f"{reverse('calls:export_new')}?call={mine.pk}"

    home = client.get(reverse("evaluation:home")).content.decode()
    page = client.get(reverse("evaluation:call", kwargs={"slug": mine.slug})).content.decode()

    assert f'href="{pack}"' in home
    assert f'href="{pack}"' in page


def test_pack_form_offers_only_the_jurors_calls_and_staff_every_call(client, staff, juror_calls):
    juror, mine, other = juror_calls
    client.force_login(juror)

    offered = options_of(client.get(reverse("calls:export_new")).content.decode(), "call")

    assert offered == ["", str(mine.pk)]
    client.force_login(staff)
    offered = options_of(client.get(reverse("calls:export_new")).content.decode(), "call")
    assert {str(mine.pk), str(other.pk)} <= set(offered)


def test_pack_form_refuses_a_call_the_juror_cannot_read_without_a_job(client, juror_calls):
    juror, _mine, other = juror_calls
    client.force_login(juror)

    response = client.post(reverse("calls:export_new"), {"call": other.pk, "format": "pdf"})

    assert response.status_code == 200
    assert "You cannot read the dossiers of this call" in response.content.decode()
    assert not ExportJob.objects.exists()


# --- 3. Withdraw ------------------------------------------------------------------------------


@pytest.fixture
def project():
    """A draft project of an organisation whose owner is Alice Martin."""
    application = ProjectApplicationFactory(complete=True)
    owner = application.applicant.organisation.owner()
    owner.first_name, owner.last_name = "Alice", "Martin"
    owner.save(update_fields=["first_name", "last_name"])
    return application


def test_a_member_is_not_offered_withdraw_and_reads_who_can(client, project):
    client.force_login(member_of(project.applicant.organisation))
    who = "Only the owner of the organisation can withdraw it: Alice Martin."

    edit = client.get(project.urls.edit).content.decode()
    review = client.get(project.urls.review).content.decode()

    for html in (edit, review):
        assert f'href="{project.urls.withdraw}"' not in html
        assert who in html


def test_the_owner_is_offered_withdraw_on_the_form(client, project):
    client.force_login(project.applicant.organisation.owner())

    edit = client.get(project.urls.edit).content.decode()

    assert f'href="{project.urls.withdraw}"' in edit
    assert "Only the owner of the organisation can withdraw it" not in edit


def test_withdraw_page_tells_a_member_who_can(client, project):
    client.force_login(member_of(project.applicant.organisation))

    response = client.get(project.urls.withdraw, follow=True)

    assert "Only the owner of the organisation can withdraw it: Alice Martin." in (
        response.content.decode()
    )
    project.refresh_from_db()
    assert project.status == Status.DRAFT


def test_pack_form_offers_only_the_districts_of_the_jurors_applications(client, staff, juror_calls):
    juror, mine, other = juror_calls
    reviewed = mine.applications.get()
    seen = DistrictFactory(commune=reviewed.applicant.commune)
    unseen = DistrictFactory(commune=other.applications.get().applicant.commune)
    client.force_login(juror)

    offered = options_of(client.get(reverse("calls:export_new")).content.decode(), "district")

    assert offered == ["", str(seen.pk)]
    client.force_login(staff)
    offered = options_of(client.get(reverse("calls:export_new")).content.decode(), "district")
    assert {str(seen.pk), str(unseen.pk)} <= set(offered)
