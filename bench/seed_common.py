"""What both seedings share: the edition's number, the people who apply and the status
history of an application.

Every row is made by the test factories (``tests/factories.py``): the few objects the pages
are measured on (staff, edition, calls, districts) with ``Factory(...)``, through the same
code as the tests; the rows counted by the thousand with ``Factory.build(...)`` and one bulk
insert per table. The answers are each kind's sample answers (``samples``), as in the tests
and the demo. A field the factories fill is filled here the same way, so the benchmark does
not drift from what the tests exercise."""

from bench import environment  # noqa: F401  (starts Django before any model is imported)

# isort: split

from calls.domain.workflow import Status
from qmi.models import User
from tests.factories import UserFactory

BENCH_EDITION = 9


def history(status):
    """The status changes that lead from draft to ``status``: (transition, from, to, actor)."""

    if status == Status.DRAFT:
        return []
    steps = [("submit", Status.DRAFT, Status.SUBMITTED, "applicant")]
    if status == Status.WITHDRAWN:
        return [*steps, ("withdraw", Status.SUBMITTED, Status.WITHDRAWN, "applicant")]
    if status == Status.SUBMITTED:
        return steps
    if status == Status.INELIGIBLE:
        return [*steps, ("mark_ineligible", Status.SUBMITTED, Status.INELIGIBLE, "staff")]
    steps.append(("mark_eligible", Status.SUBMITTED, Status.ELIGIBLE, "staff"))
    if status == Status.ELIGIBLE:
        return steps
    if status == Status.REJECTED:
        return [*steps, ("reject", Status.ELIGIBLE, Status.REJECTED, "staff")]
    steps.append(("shortlist", Status.ELIGIBLE, Status.SHORTLISTED, "staff"))
    if status == Status.SELECTED:
        steps.append(("select", Status.SHORTLISTED, Status.SELECTED, "staff"))
    return steps


def people(count, *, email, first_name):
    """``count`` users without a usable password, built by the test factory and bulk-created;
    ``email`` is a format of ``n`` (``"agent{n:05d}@commune.example"``), the last name is the
    number."""
    return User.objects.bulk_create(
        UserFactory.build(
            email=email.format(n=n), first_name=first_name, last_name=f"{n:05d}", password=None
        )
        for n in range(count)
    )
