"""Deadlines: the server refuses one second late, in Paris time, across daylight-saving
changes, and the call page shows the deadline in Paris time."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from calls.domain import lifecycle
from calls.domain.lifecycle import WorkflowError
from calls.domain.workflow import Status
from calls.models import Application, Call, StatusChange
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    SubmittedApplicationFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SECOND = timedelta(seconds=1)
CLOSES_AT = datetime(2024, 1, 12, 12, 0, tzinfo=PARIS)  # 11:00 UTC
# Sunday 31 March 2024: 02:00 → 03:00 in Paris; 03:30 CEST is 01:30 UTC.
SPRING_CLOSES_AT = datetime(2024, 3, 31, 3, 30, tzinfo=PARIS)
# Sunday 27 October 2024: 03:00 → 02:00 in Paris; 02:30 happens twice.
AUTUMN_FIRST = datetime(2024, 10, 27, 2, 30, fold=0, tzinfo=PARIS)  # CEST, 00:30 UTC
AUTUMN_SECOND = datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=PARIS)  # CET, 01:30 UTC


def db_state(application):
    row = Application.objects.filter(pk=application.pk).values(
        "status", "submitted_at", "submitted_by", "updated_at"
    )
    history = StatusChange.objects.filter(application=application).values_list("pk", flat=True)
    return row.get(), list(history), list(application.attachments.values_list("pk", flat=True))


def prepared(state, closes_at):
    """An application of ``state`` to a call closing at ``closes_at``, made the day before."""
    with time_machine.travel(closes_at - timedelta(days=1), tick=False):
        call = CallFactory(opens_at=closes_at - timedelta(days=60), closes_at=closes_at)
        if state == Status.SUBMITTED:
            return SubmittedApplicationFactory(call=call)
        return ApplicationFactory(call=call, complete=True)


def submit(application):
    lifecycle.transition(application, "submit", by=application.created_by)


def reopen(application):
    lifecycle.transition(application, "reopen", by=application.created_by)


def withdraw(application):
    lifecycle.transition(application, "withdraw", by=application.created_by)


def edit(application):
    lifecycle.check_editable(application, by=application.created_by)


def attach(application):
    lifecycle.attach(application, "annex", pdf_upload("annexe.pdf"), by=application.created_by)


TRANSITIONS = [
    (Status.DRAFT, submit, Status.SUBMITTED),
    (Status.SUBMITTED, reopen, Status.DRAFT),
    (Status.DRAFT, withdraw, Status.WITHDRAWN),
    (Status.SUBMITTED, withdraw, Status.WITHDRAWN),
]
TRANSITION_IDS = ["submit", "reopen", "withdraw-draft", "withdraw-submitted"]
ALL_ACTIONS = [(state, action) for state, action, _target in TRANSITIONS] + [
    (Status.DRAFT, edit),
    (Status.DRAFT, attach),
]
ALL_IDS = [*TRANSITION_IDS, "edit", "attach"]


# --- one second before, one second after ----------------------------------------------------


@pytest.mark.parametrize(("state", "action", "target"), TRANSITIONS, ids=TRANSITION_IDS)
def test_transition_one_second_before_deadline_allowed(state, action, target):
    application = prepared(state, CLOSES_AT)

    with time_machine.travel(CLOSES_AT - SECOND, tick=False):
        action(application)

    application.refresh_from_db()
    last = StatusChange.objects.filter(application=application).last()
    assert (application.status, last.at) == (target, CLOSES_AT - SECOND)


def test_submit_at_the_deadline_itself_allowed():
    application = prepared(Status.DRAFT, CLOSES_AT)

    with time_machine.travel(CLOSES_AT, tick=False):
        submit(application)

    application.refresh_from_db()
    assert (application.status, application.submitted_at) == (Status.SUBMITTED, CLOSES_AT)


def test_edit_one_second_before_deadline_allowed():
    application = prepared(Status.DRAFT, CLOSES_AT)

    with time_machine.travel(CLOSES_AT - SECOND, tick=False):
        result = lifecycle.check_editable(application, by=application.created_by)

    assert result is None


def test_attach_one_second_before_deadline_allowed():
    application = prepared(Status.DRAFT, CLOSES_AT)

    with time_machine.travel(CLOSES_AT - SECOND, tick=False):
        attach(application)

    assert list(application.attachments.values_list("slot", flat=True)) == [
        "annex",
        "deliberation",
    ]


@pytest.mark.parametrize(("state", "action"), ALL_ACTIONS, ids=ALL_IDS)
def test_action_one_second_after_deadline_refused_and_nothing_changes(state, action):
    application = prepared(state, CLOSES_AT)
    before = db_state(application)

    with (
        time_machine.travel(CLOSES_AT + SECOND, tick=False),
        translation.override("en"),
        pytest.raises(WorkflowError) as info,
    ):
        action(application)

    assert "deadline has passed" in info.value.messages[0]
    assert db_state(application) == before


def test_start_application_before_opening_refused():
    opens_at = datetime(2023, 10, 23, 9, 0, tzinfo=PARIS)
    call = CallFactory(opens_at=opens_at, closes_at=CLOSES_AT)
    membership = MembershipFactory()

    with time_machine.travel(opens_at - SECOND, tick=False), pytest.raises(WorkflowError):
        lifecycle.start_application(call, membership.applicant, by=membership.user)

    assert Application.objects.count() == 0


def test_start_application_at_opening_allowed():
    opens_at = datetime(2023, 10, 23, 9, 0, tzinfo=PARIS)
    call = CallFactory(opens_at=opens_at, closes_at=CLOSES_AT)
    membership = MembershipFactory()

    with time_machine.travel(opens_at, tick=False):
        application = lifecycle.start_application(call, membership.applicant, by=membership.user)

    assert application.status == Status.DRAFT


def test_start_application_after_deadline_refused():
    call = CallFactory(opens_at=CLOSES_AT - timedelta(days=60), closes_at=CLOSES_AT)
    membership = MembershipFactory()

    with time_machine.travel(CLOSES_AT + SECOND, tick=False), pytest.raises(WorkflowError):
        lifecycle.start_application(call, membership.applicant, by=membership.user)

    assert Application.objects.count() == 0


def test_may_take_submit_false_one_second_after_deadline():
    application = prepared(Status.DRAFT, CLOSES_AT)

    with time_machine.travel(CLOSES_AT - SECOND, tick=False):
        before = lifecycle.may_take(application, "submit", by=application.created_by)
    with time_machine.travel(CLOSES_AT + SECOND, tick=False):
        after = lifecycle.may_take(application, "submit", by=application.created_by)

    assert (before, after) == (True, False)


# --- daylight-saving changes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("closes_at", "utc_instant"),
    [
        (SPRING_CLOSES_AT, datetime(2024, 3, 31, 1, 30, tzinfo=UTC)),
        (AUTUMN_FIRST, datetime(2024, 10, 27, 0, 30, tzinfo=UTC)),
        (AUTUMN_SECOND, datetime(2024, 10, 27, 1, 30, tzinfo=UTC)),
    ],
    ids=["spring-03h30", "autumn-02h30-fold0", "autumn-02h30-fold1"],
)
def test_call_closes_at_stored_as_the_right_instant(closes_at, utc_instant):
    call = CallFactory(opens_at=closes_at - timedelta(days=60), closes_at=closes_at)

    call.refresh_from_db()

    assert call.closes_at == utc_instant
    assert call.closes_at.timestamp() == utc_instant.timestamp()


DST_DEADLINES = [
    pytest.param(datetime(2024, 3, 31, 1, 30, tzinfo=UTC), SPRING_CLOSES_AT, id="spring"),
    pytest.param(datetime(2024, 10, 27, 0, 30, tzinfo=UTC), AUTUMN_FIRST, id="autumn-fold0"),
    pytest.param(datetime(2024, 10, 27, 1, 30, tzinfo=UTC), AUTUMN_SECOND, id="autumn-fold1"),
]


@pytest.mark.parametrize(("utc_instant", "closes_at"), DST_DEADLINES)
def test_submit_across_dst_one_second_before_allowed(utc_instant, closes_at):
    application = prepared(Status.DRAFT, closes_at)

    with time_machine.travel(utc_instant - SECOND, tick=False):
        submit(application)

    application.refresh_from_db()
    assert (application.status, application.submitted_at) == (
        Status.SUBMITTED,
        utc_instant - SECOND,
    )


@pytest.mark.parametrize(("utc_instant", "closes_at"), DST_DEADLINES)
def test_submit_across_dst_one_second_after_refused(utc_instant, closes_at):
    application = prepared(Status.DRAFT, closes_at)
    before = db_state(application)

    with time_machine.travel(utc_instant + SECOND, tick=False), pytest.raises(WorkflowError):
        submit(application)

    assert db_state(application) == before


@pytest.mark.parametrize(("utc_instant", "closes_at"), DST_DEADLINES)
def test_edit_across_dst_respected_to_the_second(utc_instant, closes_at):
    application = prepared(Status.DRAFT, closes_at)

    with time_machine.travel(utc_instant - SECOND, tick=False):
        lifecycle.check_editable(application, by=application.created_by)
    with time_machine.travel(utc_instant + SECOND, tick=False), pytest.raises(WorkflowError):
        lifecycle.check_editable(application, by=application.created_by)


@pytest.mark.parametrize(("utc_instant", "closes_at"), DST_DEADLINES)
def test_call_is_open_and_time_left_agree_across_dst(utc_instant, closes_at):
    call = CallFactory(opens_at=closes_at - timedelta(days=60), closes_at=closes_at)
    stored = Call.objects.get(pk=call.pk)
    before, after = utc_instant - SECOND, utc_instant + SECOND

    observed = [
        (c.is_open(when), c.has_closed(when), c.time_left(when))
        for c in (call, stored)
        for when in (before, after)
    ]

    open_before = (True, False, SECOND)
    closed_after = (False, True, timedelta(0))
    assert observed == [open_before, closed_after, open_before, closed_after]


def test_time_left_spring_forward_skips_the_missing_hour():
    call = CallFactory(opens_at=SPRING_CLOSES_AT - timedelta(days=60), closes_at=SPRING_CLOSES_AT)
    midnight_thirty = datetime(2024, 3, 31, 0, 30, tzinfo=PARIS)

    assert Call.objects.get(pk=call.pk).time_left(midnight_thirty) == timedelta(hours=2)


@pytest.mark.parametrize(
    ("closes_at", "expected"),
    [
        (AUTUMN_FIRST, timedelta(hours=2, minutes=30)),
        (AUTUMN_SECOND, timedelta(hours=3, minutes=30)),
    ],
    ids=["fold0", "fold1"],
)
def test_time_left_fall_back_counts_the_repeated_hour(closes_at, expected):
    call = CallFactory(opens_at=closes_at - timedelta(days=60), closes_at=closes_at)
    midnight = datetime(2024, 10, 27, 0, 0, tzinfo=PARIS)

    assert Call.objects.get(pk=call.pk).time_left(midnight) == expected


# --- the deadline shown on the call page ----------------------------------------------------


def deadline_texts(html, closes_at):
    """The texts of the ``<time>`` elements of the page that show ``closes_at``."""
    iso = closes_at.astimezone(PARIS).isoformat()
    return re.findall(rf'<time datetime="{re.escape(iso)}">([^<]*)</time>', html)


@pytest.mark.parametrize(
    ("closes_at", "paris_day", "visit"),
    [
        (datetime(2024, 1, 12, 12, 0, tzinfo=PARIS), "12 janvier 2024", "open"),
        (datetime(2024, 1, 12, 12, 0, tzinfo=PARIS), "12 janvier 2024", "closed"),
        (datetime(2024, 7, 1, 12, 0, tzinfo=PARIS), "1 juillet 2024", "open"),
    ],
    ids=["winter-open", "winter-closed", "summer-open"],
)
def test_call_page_shows_deadline_in_paris_time(client, closes_at, paris_day, visit):
    call = CallFactory(opens_at=closes_at - timedelta(days=60), closes_at=closes_at)
    when = closes_at - timedelta(days=3) if visit == "open" else closes_at + timedelta(days=3)

    with time_machine.travel(when, tick=False):
        response = client.get(call.get_absolute_url())

    texts = deadline_texts(response.content.decode(), closes_at)
    assert response.status_code == 200
    assert len(texts) == 1
    assert (texts[0][: len(paris_day)], texts[0][-5:]) == (paris_day, "12:00")
