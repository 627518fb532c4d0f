"""Many people booking the same session at once, each in their own thread and database
connection: never more places than the capacity, the rest on the waitlist, and a place freed by
a cancellation goes to the waitlist even while others are booking.

Runs on PostgreSQL (row locks, conditional UPDATE) and on SQLite (``BEGIN IMMEDIATE``
serialises writers; the busy timeout makes the others wait instead of failing).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from learningcity.accounts.tests.factories import LearnerProfileFactory
from learningcity.core.errors import BOOKING_ALREADY
from learningcity.opportunities import booking as services
from learningcity.opportunities.models import Booking, BookingStatus, Session
from learningcity.opportunities.tests.factories import OpportunityFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)
T = TypeVar("T")


def run_at_once(jobs: list[Callable[[], object]]) -> list[object]:
    """Run each job in its own thread, released together; return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def work(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class SharedDatabase:
    """Makes the data set up so far visible to other threads' connections (:meth:`share`), and
    reads back what they wrote (:meth:`read` runs a function on a connection like theirs).

    On PostgreSQL that is just the test database. An in-memory SQLite test database is shared
    between threads only through SQLite's shared cache, whose table locks fail at once
    ("database table is locked") instead of waiting, which is not how the site runs. So on
    SQLite the data is copied to a file database, which the threads open with the site's own
    options (``BEGIN IMMEDIATE``, a busy timeout, WAL).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.copied = False
        self.settings_dict = connections.settings[DEFAULT_DB_ALIAS]
        self.original_name = self.settings_dict["NAME"]

    def share(self) -> None:
        if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
            return
        target = sqlite3.connect(self.path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        self.settings_dict["NAME"] = str(self.path)
        self.copied = True

    def read(self, fn: Callable[[], T]) -> T:
        if not self.copied:
            return fn()
        result = run_at_once([fn])[0]
        if isinstance(result, Exception):
            raise result
        return result  # type: ignore[return-value]

    def restore(self) -> None:
        self.settings_dict["NAME"] = self.original_name


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[SharedDatabase]:
    database = SharedDatabase(tmp_path / "concurrency.sqlite3")
    yield database
    database.restore()


def statuses(session: Session) -> list[str]:
    return list(Booking.objects.filter(session=session).values_list("status", flat=True))


def booked_count(session: Session) -> int:
    return Session.objects.get(pk=session.pk).booked_count


def test_twenty_people_booking_five_places_at_once(shared: SharedDatabase) -> None:
    session = SessionFactory(opportunity=OpportunityFactory(capacity=5))
    people = [LearnerProfileFactory(age=16).user for _ in range(20)]
    shared.share()
    results = run_at_once(
        [lambda p=p: services.booking_create(session=session, learner=p) for p in people]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    found = shared.read(lambda: statuses(session))
    assert found.count(BookingStatus.BOOKED) == 5
    assert found.count(BookingStatus.WAITLISTED) == 15
    assert shared.read(lambda: booked_count(session)) == 5


def test_the_same_person_pressing_book_many_times_gets_one_place(shared: SharedDatabase) -> None:
    session = SessionFactory(opportunity=OpportunityFactory(capacity=5))
    person = LearnerProfileFactory(age=16).user
    shared.share()
    results = run_at_once(
        [lambda: services.booking_create(session=session, learner=person) for _ in range(8)]
    )
    assert len([r for r in results if isinstance(r, Booking)]) == 1
    assert all(
        getattr(r, "message", None) == BOOKING_ALREADY
        for r in results
        if not isinstance(r, Booking)
    )
    assert shared.read(lambda: statuses(session)) == [BookingStatus.BOOKED]
    assert shared.read(lambda: booked_count(session)) == 1


def test_cancelling_while_others_book_gives_the_place_to_the_waitlist_first(
    shared: SharedDatabase,
) -> None:
    session = SessionFactory(opportunity=OpportunityFactory(capacity=2))
    holders = [LearnerProfileFactory(age=16).user for _ in range(2)]
    bookings = [services.booking_create(session=session, learner=p) for p in holders]
    first_waiting = LearnerProfileFactory(age=16).user
    waitlisted = services.booking_create(session=session, learner=first_waiting)
    assert waitlisted.status == BookingStatus.WAITLISTED
    newcomers = [LearnerProfileFactory(age=16).user for _ in range(6)]
    shared.share()
    jobs: list[Callable[[], object]] = [
        lambda: services.booking_cancel(booking=bookings[0], by=holders[0])
    ]
    jobs += [lambda p=p: services.booking_create(session=session, learner=p) for p in newcomers]
    results = run_at_once(jobs)
    assert not [r for r in results if isinstance(r, Exception)]
    promoted = shared.read(lambda: Booking.objects.get(pk=waitlisted.pk))
    assert promoted.status == BookingStatus.BOOKED and promoted.promoted_at
    found = shared.read(lambda: statuses(session))
    assert found.count(BookingStatus.BOOKED) == 2
    assert found.count(BookingStatus.WAITLISTED) == 6
    assert found.count(BookingStatus.CANCELLED) == 1
    assert shared.read(lambda: booked_count(session)) == 2
