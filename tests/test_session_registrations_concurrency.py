"""Registrations racing for the last seats, on PostgreSQL: ``register`` locks the session's row
before counting the seats taken, so two people sending the form at the same instant never get
the same last seat; two cancellations of the same registration promote one person only.

SQLite has no row locks (``select_for_update`` does nothing there; it serialises every write),
so the race cannot be shown on it: these tests carry the ``services`` mark, are skipped on a
developer's SQLite and run against PostgreSQL in CI (``CI=true``, ``DATABASE_URL`` set)."""

import pytest

from calls.domain import sessions as domain
from calls.models import Registration
from tests.factories import RegistrationFactory, SessionFactory
from tests.services import race, require_postgres, requires_services

pytestmark = [requires_services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres("the race for the last seat")


def test_two_registrations_racing_for_the_last_seat_get_one_seat_and_one_waiting_place():
    session = SessionFactory(capacity=2)
    RegistrationFactory(session=session)

    results = race(
        2,
        lambda n: domain.register(session, email=f"racer{n}@ville.example", name=f"Racer {n}")[0],
    )

    assert sorted(r.status for r in results) == ["confirmed", "waiting"]
    assert session.registrations.confirmed().count() == 2


def test_many_registrations_at_once_never_overbook():
    session = SessionFactory(capacity=3)

    results = race(
        10,
        lambda n: domain.register(session, email=f"crowd{n}@ville.example", name=f"Crowd {n}")[0],
    )

    assert [type(r) for r in results] == [Registration] * 10
    assert session.registrations.confirmed().count() == 3
    assert session.registrations.waiting().count() == 7


def test_the_same_address_racing_twice_is_registered_once():
    session = SessionFactory(capacity=5)

    results = race(2, lambda n: domain.register(session, email="twice@ville.example", name="Twice"))

    assert sorted(created for _registration, created in results) == [False, True]
    assert session.registrations.count() == 1


def test_a_seat_cancelled_twice_at_once_is_freed_once():
    session = SessionFactory(capacity=1)
    seat = RegistrationFactory(session=session)
    first = RegistrationFactory(session=session, status="waiting")
    second = RegistrationFactory(session=session, status="waiting")

    results = race(2, lambda n: domain.cancel(seat)[1])

    assert sorted(len(promoted) for promoted in results) == [0, 1]
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {seat.pk: "cancelled", first.pk: "confirmed", second.pk: "waiting"}
