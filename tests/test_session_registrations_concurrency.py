"""Registrations racing for the last seats, on PostgreSQL: ``register`` locks the session's row
before counting the seats taken, so two people sending the form at the same instant never get
the same last seat; two cancellations of the same registration promote one person only.

SQLite has no row locks (``select_for_update`` does nothing there; it serialises every write),
so the race cannot be shown on it: these tests carry the ``services`` mark, are skipped on a
developer's SQLite and run against PostgreSQL in CI (``CI=true``, ``DATABASE_URL`` set)."""

import threading

import pytest
from django.db import connection

from calls.domain import sessions as domain
from calls.models import Registration
from tests.factories import RegistrationFactory, SessionFactory
from tests.services import postgres_available, requires_services, skip_or_fail

pytestmark = [requires_services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres():
    if not postgres_available():
        skip_or_fail(
            "needs PostgreSQL (DATABASE_URL=postgres://...): SQLite has no row locks, so the "
            "race for the last seat cannot be run on it"
        )


def race(count, action):
    """Run ``action(n)`` in ``count`` threads released together; answers the results (or the
    exceptions) in thread order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(n):
        try:
            barrier.wait(timeout=10)
            results[n] = action(n)
        except Exception as error:  # noqa: BLE001 — reported by the test
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


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
