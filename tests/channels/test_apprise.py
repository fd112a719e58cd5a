"""The Apprise transport against a local webhook receiver: delivered, retried, masked, dead."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from smtp_support import START, Clock, free_port
from sqlalchemy import Engine, select

from aligna.channels.apprise_urls import mask_apprise_url
from aligna.channels.outbox import NewMessage, deliver_due, enqueue
from aligna.channels.transports import AppriseTransport, Transport, configured_transports
from aligna.db import session_scope
from aligna.enums import TransportName
from aligna.model import AppriseDestination, Message, Unit
from aligna.settings import Settings

TOKEN = "hook-T0ken-9f8e7d6c5b4a"
PUBLIC_URL = "https://aligna.example.org"


@dataclass
class Request:
    """One request the receiver got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Receiver:
    """A local webhook receiver that records requests, can answer 500, stop and start again."""

    port: int = field(default_factory=free_port)
    status: int = 200
    answer: bytes = b"ok"
    requests: list[Request] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(
                    Request("POST", self.path, dict(self.headers.items()), body)
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args: Any) -> None:  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def url(self, scheme: str = "json", path: str = "hook", query: str = "") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/{path}" + (f"?{query}" if query else "")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


def _destination(engine: Engine, url: str, *, person_id: int | None = None) -> int:
    """An Apprise destination of the person, or of the organisation's unit when no person."""
    with session_scope(engine) as session:
        unit_id = None if person_id else session.scalars(select(Unit.id)).one()
        destination = AppriseDestination(
            person_id=person_id, unit_id=unit_id, url=url, description="team hook"
        )
        session.add(destination)
        session.flush()
        return destination.id


def _enqueue(engine: Engine, destination_id: int, person_id: int | None, key: str = "k1") -> None:
    message = NewMessage(
        idempotency_key=key,
        person_id=person_id,
        destination_id=destination_id,
        transport=TransportName.apprise,
        subject="Revenue is off track",
        body_text="Revenue is 12% under its target for 2026-10.",
        link="/kpis/revenue",
        event_kind="kpi_off_track",
    )
    with session_scope(engine) as session:
        enqueue(session=session, messages=[message], now=START)


def _transports() -> dict[str, Transport]:
    return {"apprise": AppriseTransport(public_url=PUBLIC_URL)}


def _deliver(engine: Engine, clock: Clock, **options: Any) -> Any:
    return deliver_due(
        engine=engine, transports=_transports(), worker="w", now=clock, jitter=0, **options
    )


def _message(engine: Engine, key: str = "k1") -> Message:
    with session_scope(engine) as session:
        return session.scalars(select(Message).where(Message.idempotency_key == key)).one()


def test_a_persons_destination_gets_title_body_and_link_as_json(
    engine: Engine, person_id: int, receiver: Receiver, clock: Clock
) -> None:
    _enqueue(engine, _destination(engine, receiver.url(), person_id=person_id), person_id)
    report = _deliver(engine, clock)
    assert len(report.sent) == 1
    [request] = receiver.requests
    assert (request.method, request.path) == ("POST", "/hook")
    payload = request.json()
    assert payload["title"] == "Revenue is off track"
    assert payload["message"] == (
        "Revenue is 12% under its target for 2026-10.\n\nhttps://aligna.example.org/kpis/revenue"
    )
    message = _message(engine)
    assert message.sent_at == START and message.last_error == "" and message.attempts == 0


def test_a_units_destination_is_sent_without_a_person(
    engine: Engine, person_id: int, receiver: Receiver, clock: Clock
) -> None:
    _enqueue(engine, _destination(engine, receiver.url("form", "unit-hook")), None)
    assert len(_deliver(engine, clock).sent) == 1
    [request] = receiver.requests
    assert request.path == "/unit-hook"
    assert request.form()["title"] == "Revenue is off track"
    assert _message(engine).person_id is None


def test_an_env_token_is_sent_as_a_header_and_masked_everywhere_else(
    engine: Engine,
    person_id: int,
    receiver: Receiver,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("HOOK_TOKEN", TOKEN)
    url = receiver.url("json", "hook", "+X-Token=${HOOK_TOKEN}")
    destination_id = _destination(engine, url, person_id=person_id)
    _enqueue(engine, destination_id, person_id)
    # The receiver refuses, quoting the token back: the stored error must not hold it.
    receiver.status, receiver.answer = 500, f"bad token {TOKEN}".encode()
    assert len(_deliver(engine, clock).failed) == 1
    assert receiver.requests[-1].headers["X-Token"] == TOKEN
    error = _message(engine).last_error
    assert "error=500" in error and "bad token ********" in error and TOKEN not in error
    # It recovers: the next attempt arrives with the header, and nothing stored holds the token.
    receiver.status, receiver.answer = 200, b"ok"
    clock.advance(timedelta(minutes=1))
    assert len(_deliver(engine, clock).sent) == 1
    assert receiver.requests[-1].headers["X-Token"] == TOKEN
    with session_scope(engine) as session:
        stored = session.get_one(AppriseDestination, destination_id).url
    assert stored == url and TOKEN not in mask_apprise_url(stored, [TOKEN])
    assert mask_apprise_url(url.replace("${HOOK_TOKEN}", TOKEN)).endswith("+X-Token=********")
    # Apprise's debug log prints the URL with the header in clear; none of it reaches the log.
    assert not any(TOKEN in record.getMessage() for record in caplog.records)
    assert logging.getLogger("apprise").level == logging.NOTSET


def test_a_receiver_answering_500_is_retried_with_backoff_until_it_recovers(
    engine: Engine, person_id: int, receiver: Receiver, clock: Clock
) -> None:
    _enqueue(engine, _destination(engine, receiver.url(), person_id=person_id), person_id)
    receiver.status = 500
    for attempt, delay in enumerate([1, 2, 4], start=1):
        assert _deliver(engine, clock).sent == []
        message = _message(engine)
        assert message.attempts == attempt and message.due_at == clock.at + timedelta(minutes=delay)
        assert "Failed to send JSON POST notification" in message.last_error
        assert "error=500" in message.last_error
        clock.advance(timedelta(minutes=delay) - timedelta(seconds=1))
        assert _deliver(engine, clock).claimed == 0  # not due yet
        clock.advance(timedelta(seconds=1))
    receiver.status = 200
    assert len(_deliver(engine, clock).sent) == 1
    assert len(receiver.requests) == 4
    message = _message(engine)
    assert message.sent_at == clock.at and message.last_error == ""


def test_a_receiver_that_is_down_fails_the_attempt_and_loses_nothing(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    receiver = Receiver()  # not started: the port refuses connections
    _enqueue(engine, _destination(engine, receiver.url(), person_id=person_id), person_id)
    assert len(_deliver(engine, clock).failed) == 1
    message = _message(engine)
    assert "Connection refused" in message.last_error and message.dead_at is None
    receiver.start()
    try:
        clock.advance(timedelta(minutes=1))
        assert len(_deliver(engine, clock).sent) == 1
        assert len(receiver.requests) == 1
    finally:
        receiver.stop()


def test_a_missing_variable_fails_naming_it(
    engine: Engine,
    person_id: int,
    receiver: Receiver,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ALIGNA_TEST_MISSING_TOKEN", raising=False)
    url = receiver.url("json", "hook", "+X-Token=${ALIGNA_TEST_MISSING_TOKEN}")
    _enqueue(engine, _destination(engine, url, person_id=person_id), person_id)
    assert len(_deliver(engine, clock).failed) == 1
    error = _message(engine).last_error
    assert "ALIGNA_TEST_MISSING_TOKEN is not set" in error
    assert receiver.requests == []
    monkeypatch.setenv("ALIGNA_TEST_MISSING_TOKEN", TOKEN)
    clock.advance(timedelta(minutes=1))
    assert len(_deliver(engine, clock).sent) == 1


def test_after_the_last_attempt_the_message_is_dead(
    engine: Engine, person_id: int, receiver: Receiver, clock: Clock
) -> None:
    _enqueue(engine, _destination(engine, receiver.url(), person_id=person_id), person_id)
    receiver.status = 500
    reports = []
    for _ in range(3):
        reports.append(_deliver(engine, clock, max_attempts=3))
        clock.advance(timedelta(hours=1))
    assert [len(r.failed) for r in reports] == [1, 1, 0] and len(reports[-1].dead) == 1
    message = _message(engine)
    assert message.attempts == 3 and message.dead_at == START + timedelta(hours=2)
    assert _deliver(engine, clock).claimed == 0


def test_a_url_apprise_refuses_fails_with_the_url_masked(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    url = "nosuchservice://aligna:Pa55word@example.org/hook?token=abc123"
    _enqueue(engine, _destination(engine, url, person_id=person_id), person_id)
    assert len(_deliver(engine, clock).failed) == 1
    error = _message(engine).last_error
    assert error.startswith(
        "Apprise does not accept the URL "
        "nosuchservice://aligna:********@example.org/hook?token=********"
    )
    assert "Pa55word" not in error and "abc123" not in error


def test_a_message_without_a_destination_fails_and_says_why(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    with session_scope(engine) as session:
        enqueue(
            session=session,
            messages=[
                NewMessage(
                    idempotency_key="k1",
                    person_id=person_id,
                    transport=TransportName.apprise,
                    subject="s",
                    body_text="b",
                    event_kind="test",
                )
            ],
            now=START,
        )
    assert len(_deliver(engine, clock).failed) == 1
    assert _message(engine).last_error == "the message has no Apprise destination"


def test_the_apprise_transport_is_always_configured(engine: Engine) -> None:
    transports = configured_transports(Settings(public_url=PUBLIC_URL), engine)
    apprise = transports[TransportName.apprise]
    assert isinstance(apprise, AppriseTransport) and apprise.public_url == PUBLIC_URL
