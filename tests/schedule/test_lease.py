"""The scheduler lease: one holder at a time, taken over when it expires, released on shutdown."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from aligna.schedule.lease import Lease


class Clock:
    """A clock both electors share, moved by hand."""

    def __init__(self) -> None:
        self.at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


def test_one_holder_then_takeover_on_expiry_then_release(engine: Engine) -> None:
    clock = Clock()
    first = Lease(engine, "embedded", "serve:a", timedelta(seconds=60), clock)
    second = Lease(engine, "embedded", "serve:b", timedelta(seconds=60), clock)
    assert first.acquire() is True
    assert second.acquire() is False
    clock.at += timedelta(seconds=15)
    assert first.acquire() is True  # renewed: now held until +75 s
    clock.at += timedelta(seconds=59)
    assert second.acquire() is False
    assert second.current() == ("serve:a", first.held_until)
    # The holder stops renewing: once the lease expires, the other takes it over.
    clock.at += timedelta(seconds=2)
    assert second.acquire() is True
    assert first.acquire() is False and first.held_until is None
    # Released on shutdown: the other may take it at once, without waiting for expiry.
    second.release()
    assert second.current() is None
    assert first.acquire() is True


def test_a_lease_of_another_name_is_independent(engine: Engine) -> None:
    clock = Clock()
    assert Lease(engine, "embedded", "a", clock=clock).acquire()
    assert Lease(engine, "other", "b", clock=clock).acquire()


def test_electors_racing_for_a_free_lease_elect_exactly_one(engine: Engine) -> None:
    clock = Clock()
    electors = [Lease(engine, "embedded", f"serve:{n}", clock=clock) for n in range(6)]
    results: list[bool] = []
    barrier = threading.Barrier(len(electors))

    def elect(lease: Lease) -> None:
        barrier.wait()
        results.append(lease.acquire())

    threads = [threading.Thread(target=elect, args=(lease,)) for lease in electors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False] * 5 + [True]
