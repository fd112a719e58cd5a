"""The schedule: what runs when. Each job is a plain function of a JobContext.

Both runners call these same functions: the embedded APScheduler inside `aligna serve`
(aligna.schedule.embedded) and Procrastinate's `aligna worker` on PostgreSQL
(aligna.schedule.worker); `aligna jobs run NAME` calls one by hand. A job takes the time from
its context, never from the system clock, so tests and demos can move time forward.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from aligna.settings import Settings


@dataclass
class JobContext:
    """What a job runs with: the database, the settings, the time it runs at, and who runs it."""

    engine: Engine
    settings: Settings
    now: datetime
    runner: str = field(default_factory=lambda: f"cli:{socket.gethostname()}")


JobFunction = Callable[[JobContext], dict[str, Any]]


@dataclass(frozen=True)
class Job:
    """A job: its name, what it does, when it runs (cron, organisation's time zone), and how."""

    name: str
    description: str
    cron: str
    run: JobFunction


def run_refresh(context: JobContext) -> dict[str, Any]:
    """Refresh the KPIs that are due by their schedule, then evaluate what changed."""
    from aligna.evaluate.service import evaluate
    from aligna.measure.refresh import organisation_today, refresh

    summary = refresh(context.engine, context.settings, due=True, now=context.now)
    today = organisation_today(context.settings, context.now)
    evaluation = evaluate(context.engine, as_of=today)
    exceptions = evaluation.exceptions
    return {
        "refreshed": len(summary.results),
        "failed": sum(1 for r in summary.results if not r.ok),
        "evaluated_kpis": evaluation.kpis,
        "incremental": evaluation.incremental,
        "exceptions_opened": exceptions.opened if exceptions else 0,
        "exceptions_closed": exceptions.closed if exceptions else 0,
    }


def run_deliver(context: JobContext) -> dict[str, Any]:
    """Turn new events into notifications and messages, then send the messages that are due."""
    from aligna.channels.dispatch import dispatch_events
    from aligna.channels.outbox import deliver_due
    from aligna.channels.transports import configured_transports

    dispatched = dispatch_events(context.engine, context.settings, now=context.now)
    report = deliver_due(
        engine=context.engine,
        transports=configured_transports(context.settings, context.engine),
        worker=context.runner,
        now=lambda: context.now,
        max_attempts=context.settings.delivery_max_attempts,
        limit=500,
    )
    return {
        "events": dispatched.events,
        "notifications": dispatched.notifications,
        "sent": len(report.sent),
        "failed": len(report.failed),
        "dead": len(report.dead),
    }


def run_escalate(context: JobContext) -> dict[str, Any]:
    """Climb the reporting line with the exceptions nobody acknowledged in time."""
    from aligna.channels.dispatch import dispatch_events
    from aligna.channels.escalation import escalate

    summary = escalate(context.engine, context.settings, now=context.now)
    dispatched = dispatch_events(context.engine, context.settings, now=context.now)
    return {
        "escalated": summary.escalated,
        "exceptions": summary.exceptions,
        "commitments_missed": summary.commitments_missed,
        "at_top": summary.at_top,
        "notifications": dispatched.notifications,
    }


def run_reminders(context: JobContext) -> dict[str, Any]:
    """Remind people of the milestones due soon."""
    from aligna.channels.reminders import remind

    return remind(context.engine, context.settings, now=context.now)


def run_digests(context: JobContext) -> dict[str, Any]:
    """Write the digests due today: each person's feedback on their scorecard."""
    from aligna.channels.digest import write_digests

    summary = write_digests(context.engine, context.settings, now=context.now)
    return {
        "due": summary.due,
        "written": summary.written,
        "empty": summary.empty,
        "messages": summary.messages,
    }


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "refresh",
            "Refresh the KPIs that are due, then evaluate what changed",
            "*/5 * * * *",
            run_refresh,
        ),
        Job(
            "deliver",
            "Tell people of new events and send the messages waiting in the outbox",
            "* * * * *",
            run_deliver,
        ),
        Job(
            "escalate",
            "Escalate the exceptions nobody acknowledged in time",
            "*/15 * * * *",
            run_escalate,
        ),
        Job("reminders", "Remind people of the milestones due soon", "0 7 * * *", run_reminders),
        Job(
            "digests", "Send each person the feedback on their scorecard", "0 7 * * *", run_digests
        ),
    )
}
