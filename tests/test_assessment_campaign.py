"""The assessment's campaign: its grid, the experimentations it covers, each party's close
(the deadline rule to the second, extensions recorded with their reason and told), the
reminders before the close (each once), the protocol's computed achievement and the results
(worked examples)."""

from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from calls.domain import reminders
from evaluation.assessment import aggregates, grid, protocol
from evaluation.assessment import campaign as campaigns
from evaluation.models import (
    Assessment,
    AssessmentReminder,
    AssessmentSide,
    GridAxis,
    GridCriterion,
    ProgrammeFeedback,
    ProtocolIndicator,
)
from experimenters.models import Experimentation, Report, ReportIndicator
from tests.factories import (
    AssessmentCampaignFactory,
    MunicipalityFactory,
    ProjectApplicationFactory,
    an_experimentation,
    assessed,
    filled_side,
    people_around,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

PARIS = timezone.get_default_timezone()
CLOSE = datetime(2026, 10, 30, 23, 59, 59, tzinfo=PARIS)  # a Friday, winter time from the 25th


@pytest.fixture
def campaign(db):
    return AssessmentCampaignFactory(opens_at=CLOSE - timedelta(days=60), closes_at=CLOSE)


@pytest.fixture
def assessment(staff, campaign):
    experimentation = an_experimentation(staff)
    campaign.edition = experimentation.application.call.edition
    campaign.save()
    return assessed(experimentation, campaign)


# --- The campaign and its grid ------------------------------------------------------------------


def test_a_campaign_starts_with_the_three_axes_of_the_common_grid_once(campaign):
    campaigns.seed_grid(campaign)  # a second time changes nothing

    axes = list(campaign.axes.values_list("title_en", flat=True))
    assert axes == ["Efficacy", "Feasibility", "Durability and scalability"]
    assert GridCriterion.objects.filter(axis__campaign=campaign).count() == 6
    assert all(c.scale_max == 5 for c in GridCriterion.objects.filter(axis__campaign=campaign))


def test_covering_the_experimentations_is_idempotent_and_gives_each_three_empty_sides(
    staff, campaign
):
    first, second = an_experimentation(staff), an_experimentation(staff)
    everyone = Experimentation.objects.filter(pk__in=[first.pk, second.pk])

    assert len(campaigns.cover(campaign, everyone)) == 2
    assert campaigns.cover(campaign, everyone) == []

    assert Assessment.objects.filter(campaign=campaign).count() == 2
    sides = AssessmentSide.objects.filter(assessment__campaign=campaign)
    assert sorted(sides.values_list("party", flat=True)) == sorted(
        ["experimenter", "municipality", "manager"] * 2
    )
    assert not sides.filter(submitted_at__isnull=False).exists()


# --- Each party's close: the deadline rule, to the second, and extensions --------------------


def test_a_side_is_accepted_at_the_close_and_refused_one_second_later(assessment, staff):
    at_close = filled_side(assessment, "manager", by=staff, submit=False)
    with pytest.raises(PermissionDenied, match="closed"):
        grid.submit(at_close, by=staff, now=CLOSE + timedelta(seconds=1))
    grid.submit(at_close, by=staff, now=CLOSE)

    at_close.refresh_from_db()
    assert at_close.submitted_at == CLOSE


def test_a_side_cannot_be_submitted_before_the_campaign_opens(assessment, staff):
    side = filled_side(assessment, "manager", by=staff, submit=False)

    with pytest.raises(PermissionDenied, match="not opened"):
        grid.submit(side, by=staff, now=assessment.campaign.opens_at - timedelta(seconds=1))


def test_an_extension_reopens_one_party_only_and_is_told_with_its_reason(
    assessment, staff, mailoutbox, django_capture_on_commit_callbacks
):
    people = people_around(assessment.experimentation, staff)
    later = CLOSE + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        extension = campaigns.extend(
            assessment, "municipality", closes_at=later, reason="Élections municipales.", by=staff
        )

    assert campaigns.closes_at_for(assessment, "municipality") == later
    assert campaigns.closes_at_for(assessment, "experimenter") == CLOSE
    after = CLOSE + timedelta(days=1)
    assert campaigns.is_open_for(assessment, "municipality", after)
    assert not campaigns.is_open_for(assessment, "experimenter", after)
    municipality = filled_side(assessment, "municipality", by=people["municipality"], submit=False)
    grid.submit(municipality, by=people["municipality"], now=after)
    experimenter = filled_side(assessment, "experimenter", by=people["owner"], submit=False)
    with pytest.raises(PermissionDenied):
        grid.submit(experimenter, by=people["owner"], now=after)

    assert extension.granted_by == staff
    (message,) = mailoutbox
    assert message.to == [people["municipality"].email]
    assert "Élections municipales." in message.body
    assert "extended" in message.subject


@pytest.mark.parametrize(
    ("reason", "days", "field"), [("", 3, "reason"), ("Retard.", 0, "closes_at")]
)
def test_an_extension_needs_a_reason_and_a_later_close(assessment, staff, reason, days, field):
    with pytest.raises(ValidationError) as refused:
        campaigns.extend(
            assessment,
            "manager",
            closes_at=CLOSE + timedelta(days=days),
            reason=reason,
            by=staff,
        )

    assert field in refused.value.message_dict
    assert not assessment.extensions.exists()


# --- Completeness -------------------------------------------------------------------------------


def test_an_incomplete_side_is_refused_with_each_missing_item_and_keeps_what_was_typed(
    assessment, staff
):
    side = grid.side_for(assessment, "experimenter")
    first = side.answers.order_by("criterion__axis__position", "criterion__position").first()
    first.score, first.justification = 9, "Très utile."
    first.save()

    with pytest.raises(ValidationError) as refused, time_machine.travel(CLOSE - timedelta(days=1)):
        grid.submit(side, by=staff)

    missing = refused.value.message_dict
    assert missing[f"answer-{first.criterion_id}-score"] == [
        f"The score of “{first.criterion.title_en}” is between 1 and 5."
    ]
    assert f"answer-{first.criterion_id}-justification" not in missing
    assert len([key for key in missing if key.endswith("-justification")]) == 5
    assert missing["outcome"] == ["Say what became of the solution."]
    assert missing["indicators"] == ["Declare at least one indicator of your protocol."]
    side.refresh_from_db()
    first.refresh_from_db()
    assert side.submitted_at is None and first.justification == "Très utile."


def test_a_stopped_solution_must_say_why(assessment, staff):
    side = filled_side(assessment, "experimenter", submit=False)
    assessment.outcome, assessment.outcome_details = "stopped", ""
    assessment.save()

    keys = [key for key, _message in grid.missing_items(side)]

    assert keys == ["outcome_details"]


def test_a_submitted_side_no_longer_changes(assessment, staff):
    with time_machine.travel(CLOSE - timedelta(days=1)):
        side = filled_side(assessment, "manager", by=staff)
        with pytest.raises(PermissionDenied, match="submitted"):
            grid.check_editable(side)
        with pytest.raises(PermissionDenied):
            grid.submit(side, by=staff)


# --- Isolation ----------------------------------------------------------------------------------


def test_no_party_reads_another_side_before_submitting_its_own(assessment, staff):
    with time_machine.travel(CLOSE - timedelta(days=1)):
        filled_side(assessment, "municipality")
        filled_side(assessment, "manager", submit=False)
        assert grid.readable_sides(assessment, "manager") == []
        assert grid.readable_sides(assessment, "experimenter") == []
        filled_side(assessment, "experimenter")

    readable = grid.readable_sides(assessment, "experimenter")

    assert [s.party for s in readable] == ["municipality"]  # the manager's is not submitted
    assert not grid.staff_may_compare(assessment, CLOSE)
    assert grid.staff_may_compare(assessment, CLOSE + timedelta(seconds=1))


def test_staff_compare_only_once_the_project_manager_side_has_closed(assessment, staff):
    campaigns.extend(
        assessment, "manager", closes_at=CLOSE + timedelta(days=5), reason="Congé.", by=staff
    )

    assert not grid.staff_may_compare(assessment, CLOSE + timedelta(days=1))
    assert grid.staff_may_compare(assessment, CLOSE + timedelta(days=5, seconds=1))


def test_a_gap_is_two_points_or_more_between_parties():
    assert grid.gaps({"experimenter": 5, "municipality": 3})
    assert not grid.gaps({"experimenter": 5, "municipality": 4, "manager": 4})
    assert not grid.gaps({"experimenter": 5})


# --- The protocol: achievement computed -------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "target", "measured", "percent", "level"),
    [
        (None, 100, 80, 80, "partly"),  # 80 users of the 100 aimed at
        (0, 100, 130, 130, "reached"),  # exceeded, not capped
        (40, 20, 30, 50, "partly"),  # waste from 40 t down to 20 t: 30 t is half-way
        (40, 20, 45, -25, "missed"),  # it went the wrong way
        (10, 10, 12, None, "unknown"),  # no way to go
        (0, None, 12, None, "unknown"),  # no target
        (0, 100, None, None, "unknown"),  # not measured
        (0, 3, 1, 33, "missed"),  # rounded to the unit: 33.3 → 33
    ],
)
def test_achievement_is_the_share_of_the_way_from_baseline_to_target(
    baseline, target, measured, percent, level
):
    indicator = SimpleNamespace(baseline=baseline, target=target, measured=measured)

    result = protocol.achievement(indicator)

    assert result.percent == (None if percent is None else Decimal(percent))
    assert result.level == level


def test_the_protocol_starts_from_the_indicators_filed_in_the_reports(assessment, staff):
    experimentation = assessment.experimentation
    assessment.indicators.all().delete()
    filed = Report.objects.filter(experimentation=experimentation).order_by("due_at")
    first, second = filed[0], filed[1]
    Report.objects.filter(pk__in=[first.pk, second.pk]).update(
        submitted_at=timezone.now(), status="accepted"
    )
    ReportIndicator.objects.create(
        report=first, name="Bacs collectés", unit="bacs", baseline="0", target="1 200", value="300"
    )
    ReportIndicator.objects.create(
        report=second,
        name="bacs collectés",
        unit="bacs",
        baseline="0",
        target="1 200",
        value="950,5",
    )
    draft = Report.objects.filter(experimentation=experimentation, submitted_at__isnull=True)[0]
    ReportIndicator.objects.create(report=draft, name="Brouillon", target="3")

    protocol.start_protocol(assessment)
    protocol.start_protocol(assessment)  # idempotent

    (indicator,) = ProtocolIndicator.objects.filter(assessment=assessment)
    assert indicator.name == "bacs collectés"  # the last filed
    assert (indicator.target, indicator.measured) == (Decimal("1200"), Decimal("950.5"))
    assert indicator.source == "follow_up"


# --- Reminders: before each party's close, each once ----------------------------------------


def _scan(moment):
    with time_machine.travel(moment, tick=False):
        return reminders.send_due()


def test_each_party_that_has_not_submitted_is_reminded_once_per_offset(
    assessment, staff, mailoutbox
):
    people = people_around(assessment.experimentation, staff)
    with time_machine.travel(CLOSE - timedelta(days=20)):
        filled_side(assessment, "manager", by=staff)

    _scan(CLOSE - timedelta(days=20))
    assert not AssessmentReminder.objects.exists()
    _scan(CLOSE - timedelta(days=13))
    _scan(CLOSE - timedelta(days=12))
    _scan(CLOSE - timedelta(days=2))
    _scan(CLOSE - timedelta(days=1))
    _scan(CLOSE + timedelta(seconds=1))

    sent = sorted(AssessmentReminder.objects.values_list("party", "offset"))
    assert sent == [("experimenter", 72), ("experimenter", 336)] + [
        ("municipality", 72),
        ("municipality", 336),
    ]
    to_owner = [m for m in mailoutbox if people["owner"].email in m.to]
    assert len(to_owner) == 2
    assert "closes soon" in to_owner[0].subject
    assert not [m for m in mailoutbox if staff.email in m.to]  # its side is submitted


def test_an_extension_has_its_own_reminders(assessment, staff):
    _scan(CLOSE - timedelta(days=2))
    campaigns.extend(
        assessment, "experimenter", closes_at=CLOSE + timedelta(days=10), reason="Crue.", by=staff
    )

    _scan(CLOSE + timedelta(days=8))

    experimenter = AssessmentReminder.objects.filter(party="experimenter")
    assert sorted(experimenter.values_list("offset", flat=True)) == [72, 72]
    assert not AssessmentReminder.objects.filter(closes_at__gt=CLOSE).exclude(party="experimenter")


# --- Results: a worked example ----------------------------------------------------------------


def test_the_results_of_a_campaign_worked_example(staff, campaign):
    """Two experimentations in two districts:

    - A: experimenter 5 everywhere, municipality 3, manager 4; indicator 80 of 100 (partly),
      continued, 2 jobs, 10,000 € raised;
    - B: experimenter 4, municipality 4, manager not submitted; two indicators, 100 of 100
      (reached) and no target (unknown); commercialised, 3 contracts for 45,000 €, 1 job.
    """
    a = an_experimentation(staff)
    other_district = ProjectApplicationFactory().call.districts.order_by("pk").last()
    b = an_experimentation(staff, district=other_district)
    campaign.edition = a.application.call.edition
    campaign.save()
    first, second = assessed(a, campaign), assessed(b, campaign)
    with time_machine.travel(CLOSE - timedelta(days=1)):
        filled_side(first, "experimenter", score=5)
        filled_side(first, "municipality", score=3)
        filled_side(first, "manager", score=4)
        first.refresh_from_db()
        first.funds_raised = Decimal(10_000)
        first.save()
        ProtocolIndicator.objects.create(
            assessment=second, name="Ventes", baseline=0, target=100, measured=100
        )
        ProtocolIndicator.objects.create(assessment=second, name="Avis", measured=4)
        second.outcome, second.contracts = "commercialised", 3
        second.contracts_amount, second.jobs_created = Decimal(45_000), 1
        second.save()
        filled_side(second, "experimenter", score=4)
        filled_side(second, "municipality", score=4)
        filled_side(second, "manager", score=1, submit=False)  # not submitted: not counted
    ProgrammeFeedback.objects.create(
        campaign=campaign,
        applicant=a.application.applicant,
        support=5,
        training=4,
        submitted_at=CLOSE,
    )
    ProgrammeFeedback.objects.create(
        campaign=campaign,
        applicant=b.application.applicant,
        support=4,
        network=2,
        submitted_at=CLOSE,
    )
    ProgrammeFeedback.objects.create(campaign=campaign, applicant=MunicipalityFactory(), support=1)

    results = aggregates.results(campaign)

    efficacy = GridAxis.objects.get(campaign=campaign, title_en="Efficacy")
    assert results.assessed == 2 and results.sides_expected == 6
    assert results.sides_submitted == {"experimenter": 2, "municipality": 2, "manager": 1}
    assert results.by_axis[efficacy.pk] == {
        "experimenter": Decimal("4.5"),
        "municipality": Decimal("3.5"),
        "manager": Decimal("4.0"),
    }
    assert results.by_district[a.district.name][efficacy.pk] == Decimal("4.0")  # (5+3+4)/3
    assert results.by_district[b.district.name][efficacy.pk] == Decimal("4.0")
    # A: each criterion 5/3/4 → a gap of 2; B: 4/4 → 0; mean 1.0 on every axis
    assert set(results.spread.values()) == {Decimal("1.0")}
    assert dict(results.achievement) == {"reached": 1, "partly": 1, "missed": 0, "unknown": 1}
    assert results.outcomes["continued"] == 1 and results.outcomes["commercialised"] == 1
    assert results.outcomes["stopped"] == 0
    assert results.totals == {
        "jobs": 3,
        "funds": Decimal(10_000),
        "users": 0,
        "contracts": 3,
        "amount": Decimal(45_000),
    }
    assert results.respondents == 2
    assert results.satisfaction == {
        "support": Decimal("4.5"),
        "training": Decimal("4.0"),
        "network": Decimal("2.0"),
    }


def test_the_results_take_the_same_queries_whatever_the_number_of_experimentations(
    staff, campaign, django_assert_num_queries
):
    experimentation = an_experimentation(staff)
    campaign.edition = experimentation.application.call.edition
    campaign.save()
    with time_machine.travel(CLOSE - timedelta(days=1)):
        filled_side(assessed(experimentation, campaign), "experimenter")
    with django_assert_num_queries(10):
        aggregates.results(campaign)
    with time_machine.travel(CLOSE - timedelta(days=1)):
        for _ in range(3):
            filled_side(assessed(an_experimentation(staff), campaign), "municipality")
    with django_assert_num_queries(10):
        aggregates.results(campaign)


def test_the_home_page_links_to_the_published_summaries_only(client, campaign):
    assert "What the experimentations achieved" not in client.get("/").content.decode()

    campaign.published_at = timezone.now()
    campaign.save()

    page = client.get("/").content.decode()
    assert "What the experimentations achieved" in page
    assert f'href="/bilan/campagnes/{campaign.pk}/"' in page
