"""What staff use to run the assessment: the campaigns' admin (the grid seeded then locked once
scored, the experimentations covered, the summary published), the assessments' list and the
extensions, the side-by-side comparison (only once the campaign has closed), the dashboard
with its charts and their tables, and the public summary — with the results worked out by
hand (``evaluation.assessment.aggregates``)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls.models import ExportJob
from evaluation.admin_assessment_pages import CampaignForm
from evaluation.assessment import aggregates, charts
from evaluation.models import (
    Assessment,
    AssessmentCampaign,
    AssessmentExtension,
    GridAxis,
    ProgrammeFeedback,
    ProtocolIndicator,
)
from experimenters.models import Experimentation
from tests.factories import (
    AssessmentCampaignFactory,
    EditionFactory,
    MunicipalityFactory,
    StaffFactory,
    UserFactory,
    an_experimentation,
    assessed,
    filled_side,
    people_around,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

EFFICACY = {"Atteinte des objectifs": 1, "Usages et bénéficiaires": 1}  # the rest: 3


def closing_soon(**kwargs):
    """A campaign open since yesterday that closes in an hour."""
    now = timezone.now()
    return AssessmentCampaignFactory(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(hours=1), **kwargs
    )


def after_close(campaign):
    return time_machine.travel(campaign.closes_at + timedelta(seconds=1), tick=False)


def fully_assessed(staff, campaign, *, score=4):
    """An experimentation of ``campaign`` with its three sides submitted."""
    assessment = assessed(an_experimentation(staff), campaign)
    for party in ("experimenter", "municipality", "manager"):
        filled_side(assessment, party, score=score, by=staff)
    return assessment


@pytest.fixture
def worked(staff):
    """Two experimentations in two districts, scored by hand; a third not scored yet.

    A: experimenter 4, municipality 2, manager 3 everywhere; its protocol 80 % of the way.
    B: experimenter 5, municipality 5, manager 1 on efficacy and 3 elsewhere; three indicators
       (120 %, 40 %, no target); commercialised, with its figures.
    """
    campaign = closing_soon()
    a = assessed(an_experimentation(staff), campaign)
    b = assessed(an_experimentation(staff), campaign)
    c = assessed(an_experimentation(staff), campaign)
    filled_side(a, "experimenter", score=4, by=staff)
    filled_side(a, "municipality", score=2, by=staff)
    filled_side(a, "manager", score=3, by=staff)
    ProtocolIndicator.objects.bulk_create(
        [
            ProtocolIndicator(assessment=b, name="Sales", target=50, measured=60),
            ProtocolIndicator(assessment=b, name="Waste", baseline=100, target=50, measured=80),
            ProtocolIndicator(assessment=b, name="Mood", measured=5),
        ]
    )
    Assessment.objects.filter(pk=b.pk).update(
        outcome="commercialised",
        contracts=3,
        contracts_amount=Decimal("45000.00"),
        jobs_created=5,
        funds_raised=Decimal("200000.00"),
        users_reached=1200,
    )
    b.refresh_from_db()
    filled_side(b, "experimenter", score=5, by=staff)
    filled_side(b, "municipality", score=5, by=staff)
    filled_side(b, "manager", score=EFFICACY, by=staff)
    filled_side(c, "municipality", score=1, by=staff, submit=False)  # a draft counts for nothing
    organisation = a.experimentation.application.applicant
    for applicant, support, training, network, submitted in [
        (organisation, 4, 3, 5, True),
        (MunicipalityFactory(), 5, 4, None, True),
        (MunicipalityFactory(), 1, 1, 1, False),
    ]:
        ProgrammeFeedback.objects.create(
            campaign=campaign,
            applicant=applicant,
            support=support,
            training=training,
            network=network,
            submitted_at=timezone.now() if submitted else None,
        )
    return campaign, a, b, c


# --- The results, worked out by hand ----------------------------------------------------------


def test_the_results_of_the_worked_example(worked):
    campaign, a, b, _c = worked
    results = aggregates.results(campaign)
    efficacy, feasibility, durability = (axis.pk for axis in results.axes)
    d = Decimal

    assert results.assessed == 3
    assert results.sides_expected == 9
    assert results.sides_submitted == {"experimenter": 2, "municipality": 2, "manager": 2}
    assert results.by_axis == {
        efficacy: {"experimenter": d("4.5"), "municipality": d("3.5"), "manager": d("2.0")},
        feasibility: {"experimenter": d("4.5"), "municipality": d("3.5"), "manager": d("3.0")},
        durability: {"experimenter": d("4.5"), "municipality": d("3.5"), "manager": d("3.0")},
    }
    # by district, the mean of the three parties: A (4+2+3)/3; B (5+5+1)/3 and (5+5+3)/3
    assert results.by_district == {
        a.experimentation.district.name: {
            efficacy: d("3.0"),
            feasibility: d("3.0"),
            durability: d("3.0"),
        },
        b.experimentation.district.name: {
            efficacy: d("3.7"),
            feasibility: d("4.3"),
            durability: d("4.3"),
        },
    }
    # the spread: A 4−2 on every criterion; B 5−1 on efficacy, 5−3 elsewhere
    assert results.spread == {efficacy: d("3.0"), feasibility: d("2.0"), durability: d("2.0")}
    assert dict(results.achievement) == {"reached": 1, "partly": 1, "missed": 1, "unknown": 1}
    assert results.indicators == 4
    assert dict(results.outcomes) == {
        "continued": 1,
        "extended": 0,
        "commercialised": 1,
        "stopped": 0,
    }
    assert results.totals == {
        "jobs": 7,
        "funds": d("200000"),
        "users": 1200,
        "contracts": 3,
        "amount": d("45000"),
    }
    assert results.respondents == 2
    assert results.satisfaction == {"support": d("4.5"), "training": d("3.5"), "network": d("5.0")}


def test_the_charts_of_the_worked_example_carry_their_numbers_in_their_tables(worked):
    campaign, *_ = worked
    by_key = {c.key: c for c in charts.all_charts(aggregates.results(campaign))}

    assert list(by_key) == [
        "axes",
        "districts",
        "spread",
        "achievement",
        "outcomes",
        "satisfaction",
    ]
    assert by_key["axes"].rows[0] == ["Efficacy", "4.5", "3.5", "2.0"]
    assert by_key["spread"].rows == [
        ["Efficacy", "3.0"],
        ["Feasibility", "2.0"],
        ["Durability and scalability", "2.0"],
    ]
    assert by_key["outcomes"].rows[2] == ["Commercialised", 1]
    assert by_key["satisfaction"].rows[2] == ["Network", "5.0"]
    assert all("<script" not in c.svg and c.svg.startswith("<svg") for c in by_key.values())


# --- Access -----------------------------------------------------------------------------------


def admin_urls(campaign, assessment):
    return [
        reverse("admin:evaluation_assessmentcampaign_changelist"),
        reverse("admin:evaluation_assessmentcampaign_change", args=[campaign.pk]),
        reverse("admin:evaluation_assessmentcampaign_dashboard", args=[campaign.pk]),
        reverse("admin:evaluation_assessmentcampaign_report", args=[campaign.pk]),
        reverse("admin:evaluation_assessment_changelist"),
        reverse("admin:evaluation_assessment_change", args=[assessment.pk]),
        reverse("admin:evaluation_assessment_compare", args=[assessment.pk]),
        reverse("admin:evaluation_assessment_extend", args=[assessment.pk]),
        reverse("admin:evaluation_gridaxis_change", args=[campaign.axes.first().pk]),
    ]


def test_nobody_but_staff_reaches_the_assessments_admin(client, staff):
    campaign = closing_soon()
    assessment = fully_assessed(staff, campaign)
    people = people_around(assessment.experimentation, staff)
    for who in [None, people["owner"], people["municipality"], UserFactory()]:
        client.logout()
        if who is not None:
            client.force_login(who)
        for url in admin_urls(campaign, assessment):
            for response in (client.get(url), client.post(url, {"format": "pdf"})):
                assert response.status_code == 302, (who, url)
                assert response["Location"].startswith(reverse("admin:login")), (who, url)


# --- The side-by-side comparison --------------------------------------------------------------


def test_the_comparison_waits_for_the_close_and_shows_no_answer_before(staff_client, worked):
    _campaign, a, _b, _c = worked
    response = staff_client.get(reverse("admin:evaluation_assessment_compare", args=[a.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "compared once the campaign has closed" in page
    assert page.count("✔ submitted on") == 3
    assert "Justification of" not in page
    assert "gap of" not in page
    assert "Users served" not in page


def test_after_the_close_the_three_sides_are_side_by_side_with_the_gaps_marked(client, worked):
    campaign, a, b, _c = worked
    with after_close(campaign):
        client.force_login(StaffFactory())
        page_b = client.get(reverse("admin:evaluation_assessment_compare", args=[b.pk]))
        page_a = client.get(reverse("admin:evaluation_assessment_compare", args=[a.pk]))

    b_text = page_b.content.decode()
    assert page_b.status_code == 200
    assert "Justification of Atteinte des objectifs." in b_text
    assert b_text.count("⚠ gap of 4") == 2  # efficacy: 5, 5 and 1
    assert b_text.count("⚠ gap of 2") == 4  # elsewhere: 5, 5 and 3
    assert b_text.count('class="qmi-gap"') == 6
    assert "120 % — Target reached" in b_text
    assert "40 % — Less than half-way" in b_text
    assert "Commercialised" in b_text
    a_text = page_a.content.decode()
    assert a_text.count("⚠ gap of 2") == 6  # 4, 2 and 3 everywhere
    assert "80 % — Half-way or more" in a_text


def test_a_side_not_submitted_is_not_compared(client, staff):
    campaign = closing_soon()
    assessment = assessed(an_experimentation(staff), campaign)
    filled_side(assessment, "experimenter", score=5, by=staff)
    filled_side(assessment, "municipality", score=1, by=staff, submit=False)
    with after_close(campaign):
        client.force_login(staff)
        page = client.get(
            reverse("admin:evaluation_assessment_compare", args=[assessment.pk])
        ).content.decode()

    assert page.count("not submitted") == 12  # two parties, six criteria
    assert 'class="qmi-gap"' not in page


# --- The dashboard and the list, at a constant number of queries --------------------------------


def test_the_dashboard_shows_the_figures_the_six_charts_and_their_tables(staff_client, worked):
    campaign, *_ = worked
    response = staff_client.get(
        reverse("admin:evaluation_assessmentcampaign_dashboard", args=[campaign.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<figure class="qmi-chart"') == 6
    assert page.count('class="pygal-chart"') == 6
    assert page.count("<caption>Data of the chart") == 6
    assert '<th scope="row">Efficacy</th><td>4.5</td><td>3.5</td><td>2.0</td>' in page
    assert "<dd>2 of 3</dd>" in page
    assert "Build the programme report (PDF)" in page
    assert "Export every answer (XLSX)" in page
    assert reverse("admin:evaluation_assessmentcampaign_report", args=[campaign.pk]) in page
    assert "css/assessment.css" in page


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["dashboard", "list"])
def test_the_dashboard_and_the_list_cost_the_same_queries_at_two_sizes(
    staff_client, staff, django_assert_num_queries, page
):
    campaign = closing_soon()
    first = fully_assessed(staff, campaign)
    if page == "dashboard":
        url = reverse("admin:evaluation_assessmentcampaign_dashboard", args=[campaign.pk])
    else:
        url = reverse("admin:evaluation_assessment_changelist")
        url += f"?campaign__id__exact={campaign.pk}"
    AssessmentExtension.objects.create(
        assessment=first,
        party="municipality",
        closes_at=campaign.closes_at + timedelta(days=3),
        reason="Élections.",
        granted_by=staff,
    )
    small = count_queries(staff_client, url)
    for _ in range(3):
        fully_assessed(staff, campaign, score=3)
    AssessmentExtension.objects.create(
        assessment=Assessment.objects.exclude(pk=first.pk).first(),
        party="manager",
        closes_at=campaign.closes_at + timedelta(days=3),
        reason="Congés.",
        granted_by=staff,
    )

    with django_assert_num_queries(small):
        response = staff_client.get(url)
    assert response.status_code == 200


def test_the_list_shows_each_partys_state(staff_client, staff):
    campaign = closing_soon()
    assessment = assessed(an_experimentation(staff), campaign)
    filled_side(assessment, "experimenter", by=staff)
    AssessmentExtension.objects.create(
        assessment=assessment,
        party="municipality",
        closes_at=campaign.closes_at + timedelta(days=3),
        reason="Élections.",
        granted_by=staff,
    )
    page = staff_client.get(reverse("admin:evaluation_assessment_changelist")).content.decode()

    assert "✔ submitted on" in page
    assert "not yet, extended until" in page
    assert "✘ not yet" in page
    assert "Continued in the district" in page
    filtered = staff_client.get(
        reverse("admin:evaluation_assessment_changelist") + "?side=municipality:yes"
    )
    assert "0 assessments" in filtered.content.decode()


# --- The campaign's admin: the grid seeded, the experimentations covered, the grid locked -------


def campaign_form(edition, **changes):
    return {
        "edition": edition.pk,
        "title": "Bilan 2026",
        "title_en": "2026 assessment",
        "opens_at_0": "2026-09-01",
        "opens_at_1": "00:00:00",
        "closes_at_0": "2026-10-30",
        "closes_at_1": "23:59:59",
        "reminder_offsets": "14d, 3d",
        "summary": "",
        "summary_en": "",
        "axes-TOTAL_FORMS": "0",
        "axes-INITIAL_FORMS": "0",
        "axes-MIN_NUM_FORMS": "0",
        "axes-MAX_NUM_FORMS": "1000",
        **changes,
    }


def test_a_new_campaign_gets_the_grid_and_the_editions_experimentations_not_abandoned(
    staff_client, staff
):
    running = an_experimentation(staff)
    edition = running.application.call.edition
    other = an_experimentation(staff)
    other.application.call.edition = EditionFactory(number=3, is_current=False)
    other.application.call.save()
    given_up = an_experimentation(staff)
    Experimentation.objects.filter(pk=given_up.pk).update(status="abandoned")
    assert other.application.call.edition != edition

    response = staff_client.post(
        reverse("admin:evaluation_assessmentcampaign_add"), campaign_form(edition)
    )

    assert response.status_code == 302
    campaign = AssessmentCampaign.objects.get()
    assert list(campaign.axes.values_list("title_en", flat=True)) == [
        "Efficacy",
        "Feasibility",
        "Durability and scalability",
    ]
    assert list(campaign.assessments.values_list("experimentation", flat=True)) == [running.pk]
    assert campaign.closes_at == timezone.make_aware(timezone.datetime(2026, 10, 30, 23, 59, 59))

    # covering again adds nobody; a new experimentation of the edition is added
    changelist = reverse("admin:evaluation_assessmentcampaign_changelist")
    action = {"action": "cover_experimentations", "_selected_action": [campaign.pk]}
    page = staff_client.post(changelist, action, follow=True).content.decode()
    assert "0 experimentations added" in page
    an_experimentation(staff)
    page = staff_client.post(changelist, action, follow=True).content.decode()
    assert "1 experimentation added" in page
    assert campaign.assessments.count() == 2
    listing = staff_client.get(changelist).content.decode()
    assert '<td class="field-assessed">2</td>' in listing


def test_a_scored_grid_cannot_gain_or_lose_an_axis_or_a_criterion(staff_client, staff):
    campaign = closing_soon()
    assessment = assessed(an_experimentation(staff), campaign)
    axis = campaign.axes.first()
    change = reverse("admin:evaluation_assessmentcampaign_change", args=[campaign.pk])
    assert "no longer be added or removed" not in staff_client.get(change).content.decode()

    filled_side(assessment, "manager", by=staff)

    page = staff_client.get(change).content.decode()
    assert "1 side was submitted on this grid" in page
    axis_page = staff_client.get(reverse("admin:evaluation_gridaxis_change", args=[axis.pk]))
    assert "no longer be added or removed" in axis_page.content.decode()
    assert 'name="criteria-0-scale_max"' not in axis_page.content.decode()
    refused = staff_client.post(
        reverse("admin:evaluation_gridaxis_add"),
        {
            "campaign": campaign.pk,
            "title": "Impact social",
            "title_en": "",
            "position": 4,
            "criteria-TOTAL_FORMS": "0",
            "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "1000",
        },
    )
    assert refused.status_code == 200
    assert "no axis can be added to it" in refused.content.decode()
    deleted = staff_client.post(
        reverse("admin:evaluation_gridaxis_delete", args=[axis.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert GridAxis.objects.filter(campaign=campaign).count() == 3
    assert (
        staff_client.get(
            reverse("admin:evaluation_assessmentcampaign_delete", args=[campaign.pk])
        ).status_code
        == 403
    )


# --- Extensions through the admin ----------------------------------------------------------------


def test_an_extension_needs_a_reason_and_is_recorded_and_told_after_the_commit(
    staff_client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    campaign = closing_soon()
    assessment = assessed(an_experimentation(staff), campaign)
    people = people_around(assessment.experimentation, staff)
    url = reverse("admin:evaluation_assessment_extend", args=[assessment.pk])
    later = timezone.localtime(campaign.closes_at + timedelta(days=7)).replace(microsecond=0)
    form = {"party": "municipality", "closes_at": later.strftime("%Y-%m-%dT%H:%M:%S")}
    assert staff_client.get(url).status_code == 200

    refused = staff_client.post(url, {**form, "reason": "  "})
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    too_early = timezone.localtime(campaign.closes_at - timedelta(days=1))
    kept = staff_client.post(
        url,
        {**form, "closes_at": too_early.strftime("%Y-%m-%dT%H:%M:%S"), "reason": "Élections."},
    )
    assert kept.status_code == 400
    assert "must be later than the current one" in kept.content.decode()
    assert "Élections." in kept.content.decode()  # nothing typed is lost
    assert not AssessmentExtension.objects.exists()
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        granted = staff_client.post(url, {**form, "reason": "Élections municipales."})

    assert granted.status_code == 302
    extension = AssessmentExtension.objects.get()
    assert (extension.party, extension.closes_at) == ("municipality", later)
    assert extension.granted_by.is_staff
    assert extension.reason == "Élections municipales."
    (message,) = mailoutbox
    assert message.to == [people["municipality"].email]
    assert "Élections municipales." in message.body
    page = staff_client.get(
        reverse("admin:evaluation_assessment_change", args=[assessment.pk])
    ).content.decode()
    assert "Élections municipales." in page  # listed, read-only


# --- The public summary --------------------------------------------------------------------------


def test_the_public_summary_exists_only_once_published(staff_client, worked):
    campaign, *_ = worked
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    AssessmentCampaign.objects.filter(pk=campaign.pk).update(
        summary="Un bilan très positif.", summary_en="A very positive assessment."
    )
    url = reverse("evaluation:assessment_summary", args=[campaign.pk])
    assert url == campaign.get_absolute_url()
    assert client.get(url).status_code == 404

    changelist = reverse("admin:evaluation_assessmentcampaign_changelist")
    staff_client.post(changelist, {"action": "publish_summary", "_selected_action": [campaign.pk]})

    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "A very positive assessment." in page
    assert "<dd>7</dd>" in page  # jobs created
    assert "200,000" in page  # funds raised
    assert page.count('class="pygal-chart"') == 6
    assert page.count("<caption>Data of the chart") == 6
    assert "Justification of" not in page
    client.cookies["django_language"] = "fr"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert "Un bilan très positif." in client.get(url).content.decode()

    unpublish = {"action": "unpublish_summary", "_selected_action": [campaign.pk]}
    staff_client.post(changelist, unpublish)
    assert client.get(url).status_code == 404


def test_the_public_summary_shows_only_the_charts_staff_ticked(staff_client, worked):
    campaign, *_ = worked
    form = CampaignForm(
        instance=campaign,
        data={
            "edition": campaign.edition_id,
            "title": campaign.title,
            "title_en": campaign.title_en,
            "opens_at": timezone.localtime(campaign.opens_at).strftime("%Y-%m-%d %H:%M:%S"),
            "closes_at": timezone.localtime(campaign.closes_at).strftime("%Y-%m-%d %H:%M:%S"),
            "reminder_offsets": "14d, 3d",
            "public_charts": ["outcomes", "satisfaction"],
        },
    )
    assert form.is_valid(), form.errors
    form.save()
    AssessmentCampaign.objects.filter(pk=campaign.pk).update(published_at=timezone.now())

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(campaign.get_absolute_url()).content.decode()

    assert page.count('class="pygal-chart"') == 2
    assert "What became of the solutions" in page
    assert "Satisfaction with the programme" in page
    assert "Scores of the grid by axis and party" not in page
    assert "Jobs created" in page  # the key figures are always shown


def test_the_dashboards_buttons_ask_for_the_report_in_the_background(staff_client, worked):
    campaign, *_ = worked
    url = reverse("admin:evaluation_assessmentcampaign_report", args=[campaign.pk])

    assert staff_client.get(url).status_code == 405
    assert staff_client.post(url, {"format": "zip"}).status_code == 400
    response = staff_client.post(url, {"format": "xlsx"})

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert (job.format, job.filters) == ("xlsx", {"campaign": campaign.pk})
