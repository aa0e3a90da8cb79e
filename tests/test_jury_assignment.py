"""Assignment of applications to jury members: automatic (k members each, loads balanced,
conflicts and district limits respected, deterministic, tops up) and by hand."""

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied

from calls.domain import lifecycle as call_services
from evaluation import services
from evaluation.models import Assignment
from experimenters.models import DistrictWish
from tests.factories import (
    CallFactory,
    DistrictFactory,
    ExperimenterCallFactory,
    JuryMemberFactory,
    ProjectApplicationFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    assigned,
    jury,
    take,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return StaffFactory()


def eligible_applications(call, n, staff):
    return [
        take(SubmittedApplicationFactory(call=call), "mark_eligible", by=staff) for _ in range(n)
    ]


def loads(call):
    return Counter(
        Assignment.objects.filter(jury_member__call=call).values_list("jury_member_id", flat=True)
    )


def members_per_application(call):
    return Counter(
        Assignment.objects.filter(jury_member__call=call).values_list("application_id", flat=True)
    )


def test_each_application_gets_k_members_with_equal_loads(staff):
    """10 applications × k = 2 over 4 members: 20 assignments, 5 each."""
    call = CallFactory()
    jury(call, k=2)
    applications = eligible_applications(call, 10, staff)
    members = [JuryMemberFactory(call=call) for _ in range(4)]

    report = services.assign_automatically(call, by=staff)

    assert (report.created, report.short) == (20, [])
    assert sorted(loads(call).values()) == [5, 5, 5, 5]
    assert set(members_per_application(call).values()) == {2}
    assert set(members_per_application(call)) == {a.pk for a in applications}
    assert len(members) == 4


def test_loads_differ_by_one_at_most(staff):
    """7 applications × k = 2 over 3 members: 14 assignments, loads 5, 5, 4."""
    call = CallFactory()
    jury(call, k=2)
    eligible_applications(call, 7, staff)
    for _ in range(3):
        JuryMemberFactory(call=call)

    services.assign_automatically(call, by=staff)

    assert sorted(loads(call).values()) == [4, 5, 5]


def test_assignment_is_deterministic_and_tops_up(staff):
    """The earliest-added members take the ties; a second run creates nothing."""
    call = CallFactory()
    jury(call, k=1)
    applications = eligible_applications(call, 3, staff)
    first, second = JuryMemberFactory(call=call), JuryMemberFactory(call=call)

    services.assign_automatically(call, by=staff)
    again = services.assign_automatically(call, by=staff)

    pairs = sorted(
        Assignment.objects.filter(jury_member__call=call).values_list(
            "application__reference", "jury_member_id"
        )
    )
    ordered = sorted(applications, key=lambda a: a.reference)
    assert pairs == [
        (ordered[0].reference, first.pk),
        (ordered[1].reference, second.pk),
        (ordered[2].reference, first.pk),
    ]
    assert again.created == 0


def test_only_applications_under_review_are_assigned(staff):
    call = CallFactory()
    jury(call, k=1)
    submitted = SubmittedApplicationFactory(call=call)
    ineligible = take(SubmittedApplicationFactory(call=call), "mark_ineligible", by=staff)
    shortlisted = take(
        SubmittedApplicationFactory(call=call), "mark_eligible", "shortlist", by=staff
    )
    JuryMemberFactory(call=call)

    services.assign_automatically(call, by=staff)

    assert set(members_per_application(call)) == {shortlisted.pk}
    assert {submitted.pk, ineligible.pk}.isdisjoint(members_per_application(call))


def test_a_conflict_is_replaced_never_reassigned(staff):
    """M declared a conflict on A: A gets another member so that k = 1 members count."""
    call = CallFactory()
    jury(call, k=1)
    (application,) = eligible_applications(call, 1, staff)
    conflicted = JuryMemberFactory(call=call)
    other = JuryMemberFactory(call=call)
    assigned(conflicted, application, conflict=True)

    report = services.assign_automatically(call, by=staff)

    members = set(
        Assignment.objects.filter(application=application).values_list("jury_member", flat=True)
    )
    assert report.created == 1
    assert members == {conflicted.pk, other.pk}
    assert Assignment.objects.filter(jury_member=conflicted).count() == 1


def test_a_conflict_counts_in_no_load(staff):
    """The conflicted assignment is not a load: the member is chosen first next time."""
    call = CallFactory()
    jury(call, k=1)
    first, second = eligible_applications(call, 2, staff)
    busy = JuryMemberFactory(call=call)
    free = JuryMemberFactory(call=call)
    assigned(free, first, conflict=True)
    assigned(busy, first, conflict=False)

    services.assign_automatically(call, by=staff)

    assert list(
        Assignment.objects.filter(application=second).values_list("jury_member", flat=True)
    ) == [free.pk]


def test_district_limits_for_projects(staff):
    """A member limited to district D1 reviews only projects wishing D1; a project wishing D2
    only goes to the unlimited member; with none possible it is reported short."""
    d1, d2 = DistrictFactory(), DistrictFactory()
    call = ExperimenterCallFactory(districts=[d1, d2])
    jury(call, k=1)
    in_d1 = ProjectApplicationFactory(call=call, complete=True)
    in_d2 = ProjectApplicationFactory(call=call, complete=True)
    DistrictWish.objects.filter(project=in_d2.project).update(district=d2)
    for project in (in_d1, in_d2):
        call_services.transition(project, "submit", by=project.created_by)
        take(project, "mark_eligible", by=staff)
    limited = JuryMemberFactory(call=call, districts=[d1])

    short = services.assign_automatically(call, by=staff)
    JuryMemberFactory(call=call)
    topped = services.assign_automatically(call, by=staff)

    assert short.short == [(in_d2.reference, 1)]
    assert topped.created == 1
    assert list(
        Assignment.objects.filter(jury_member=limited).values_list("application", flat=True)
    ) == [in_d1.pk]


def test_district_limits_for_municipalities(staff):
    """A municipality's application is about its commune's district, if any."""
    call = CallFactory()
    jury(call, k=1)
    with_district, without = eligible_applications(call, 2, staff)
    from municipalities.models import Commune

    commune = Commune.objects.get(applicant=with_district.applicant)
    district = DistrictFactory(commune=commune)
    limited = JuryMemberFactory(call=call, districts=[district])

    report = services.assign_automatically(call, by=staff)

    assert list(
        Assignment.objects.filter(jury_member=limited).values_list("application", flat=True)
    ) == [with_district.pk]
    assert report.short == [(without.reference, 1)]


def test_automatic_assignment_is_for_staff():
    call = CallFactory()

    with pytest.raises(PermissionDenied):
        services.assign_automatically(call, by=JuryMemberFactory(call=call).user)


def test_manual_assignment(staff):
    call = CallFactory()
    application = SubmittedApplicationFactory(call=call)
    member = JuryMemberFactory(call=call)

    assignment = services.assign(application, member, by=staff)

    assert (assignment.jury_member, assignment.application, assignment.automatic) == (
        member,
        application,
        False,
    )


def test_manual_assignment_to_another_calls_member_refused(staff):
    application = SubmittedApplicationFactory(call=CallFactory())
    stranger = JuryMemberFactory(call=CallFactory())

    with pytest.raises(services.EvaluationError):
        services.assign(application, stranger, by=staff)

    assert not Assignment.objects.exists()
