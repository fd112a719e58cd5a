"""The outbox: written once, claimed by one worker, sent with retries, never lost."""

from __future__ import annotations

import hashlib
import random
import threading
from datetime import timedelta

from smtp_support import START, Clock, SmtpServer, free_port
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from aligna.channels.outbox import (
    CLAIM_EXPIRY,
    NewMessage,
    backoff,
    claim,
    deliver_due,
    enqueue,
    retry_dead,
)
from aligna.channels.transports import InboxTransport, SendResult, SmtpTransport, Transport
from aligna.channels.transports.smtp import message_id
from aligna.db import session_scope
from aligna.enums import TransportName
from aligna.model import InboxItem, Message

HTML = "<p>Revenue is <b>off track</b>.</p>"


def _new(person_id: int, key: str, transport: TransportName = TransportName.email) -> NewMessage:
    return NewMessage(
        idempotency_key=key,
        person_id=person_id,
        transport=transport,
        subject="Revenue is off track",
        body_text="Revenue is off track.\nhttp://aligna.test/kpis/revenue",
        body_html=HTML,
        link="/kpis/revenue",
        event_kind="kpi_off_track",
    )


def _write(engine: Engine, *messages: NewMessage) -> int:
    with session_scope(engine) as session:
        return enqueue(session=session, messages=list(messages), now=START)


def _smtp(server: SmtpServer) -> dict[str, Transport]:
    transport = SmtpTransport(
        host="127.0.0.1", port=server.port, security="none", mail_from="aligna <aligna@org.test>"
    )
    return {"email": transport}


def _message(engine: Engine, key: str) -> Message:
    with session_scope(engine) as session:
        return session.scalars(select(Message).where(Message.idempotency_key == key)).one()


def test_an_email_arrives_with_subject_both_parts_and_a_stable_message_id(
    engine: Engine, person_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    _write(engine, _new(person_id, "kpi-7.off-track.2026-10.email"))
    report = deliver_due(engine=engine, transports=_smtp(smtp_server), worker="w", now=clock)
    assert len(report.sent) == 1 and report.claimed == 1
    [email] = smtp_server.emails
    assert email["Subject"] == "Revenue is off track"
    assert email["To"] == "ada@example.org"
    assert email["Message-ID"] == "<aligna-kpi-7.off-track.2026-10.email@org.test>"
    assert email.get_content_type() == "multipart/alternative"
    plain = email.get_body(preferencelist=("plain",))
    html = email.get_body(preferencelist=("html",))
    assert plain is not None and "http://aligna.test/kpis/revenue" in plain.get_content()
    assert html is not None and HTML in html.get_content()
    message = _message(engine, "kpi-7.off-track.2026-10.email")
    assert message.sent_at == START and message.attempts == 0 and message.claimed_by is None
    # Sent messages are never claimed again.
    assert (
        deliver_due(engine=engine, transports=_smtp(smtp_server), worker="w", now=clock).claimed
        == 0
    )


def test_a_key_unfit_for_a_message_id_is_hashed() -> None:
    assert message_id("a b@c", "org.test").startswith("<aligna-")
    assert message_id("kpi:7", "x") == f"<aligna-{hashlib.sha256(b'kpi:7').hexdigest()}@x>"
    assert " " not in message_id("a b@c", "org.test") and message_id("a b@c", "x") != message_id(
        "a b@d", "x"
    )


def test_with_the_server_down_retries_follow_the_backoff_and_nothing_is_lost(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    server = SmtpServer(port=free_port())  # not started: connections are refused
    _write(engine, _new(person_id, "k1"))
    transports = _smtp(server)

    def run() -> list[int]:
        report = deliver_due(engine=engine, transports=transports, worker="w", now=clock, jitter=0)
        return report.sent

    expected_due = START
    for attempt, delay in enumerate([1, 2, 4, 8], start=1):
        assert run() == []
        message = _message(engine, "k1")
        expected_due = clock.at + timedelta(minutes=delay)
        assert (message.attempts, message.due_at) == (attempt, expected_due)
        assert "ConnectionRefusedError" in message.last_error and message.dead_at is None
        clock.advance(timedelta(minutes=delay) - timedelta(seconds=1))
        assert deliver_due(engine=engine, transports=transports, worker="w", now=clock).claimed == 0
        clock.advance(timedelta(seconds=1))
    server.start()
    try:
        assert len(run()) == 1
        assert len(server.emails) == 1
    finally:
        server.stop()
    message = _message(engine, "k1")
    assert message.sent_at == expected_due and message.last_error == "" and message.attempts == 4


def test_backoff_doubles_caps_at_six_hours_and_jitters_reproducibly() -> None:
    assert [backoff(n, jitter=0) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff(9, jitter=0) == timedelta(hours=4, minutes=16)
    assert backoff(10, jitter=0) == backoff(30, jitter=0) == timedelta(hours=6)
    jittered = [backoff(3, rng=random.Random(7)) for _ in range(2)]
    assert jittered[0] == jittered[1]
    assert timedelta(minutes=3.6) <= jittered[0] <= timedelta(minutes=4.4)


def test_after_the_last_attempt_a_message_is_dead_until_an_admin_retries_it(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    server = SmtpServer(port=free_port())
    _write(engine, _new(person_id, "k1"))
    for _ in range(3):
        deliver_due(
            engine=engine, transports=_smtp(server), worker="w", now=clock, max_attempts=3, jitter=0
        )
        clock.advance(timedelta(hours=1))
    message = _message(engine, "k1")
    assert message.attempts == 3 and message.dead_at == START + timedelta(hours=2)
    clock.advance(timedelta(days=30))
    assert deliver_due(engine=engine, transports=_smtp(server), worker="w", now=clock).claimed == 0
    with session_scope(engine) as session:
        assert retry_dead(session=session, message_ids=[message.id], now=clock.at) == 1
        assert retry_dead(session=session, message_ids=[message.id], now=clock.at) == 0
    server.start()
    try:
        report = deliver_due(engine=engine, transports=_smtp(server), worker="w", now=clock)
        assert report.sent == [message.id] and len(server.emails) == 1
    finally:
        server.stop()


def test_the_same_event_is_written_once(engine: Engine, person_id: int) -> None:
    assert _write(engine, _new(person_id, "k1"), _new(person_id, "k1"), _new(person_id, "k2")) == 2
    assert _write(engine, _new(person_id, "k1"), _new(person_id, "k3")) == 1
    assert _write(engine) == 0
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 3


def test_two_workers_never_claim_the_same_message(engine: Engine, person_id: int) -> None:
    _write(engine, *(_new(person_id, f"k{n}") for n in range(5)))
    first = Session(engine, expire_on_commit=False)
    second = Session(engine, expire_on_commit=False)
    try:
        mine = claim(session=first, worker="a", now=START, limit=3)
        if engine.dialect.name == "sqlite":
            first.commit()  # SQLite serialises writers: the second claim waits for the first
        # On PostgreSQL the first claim is still open: its rows are skipped, not waited for.
        theirs = claim(session=second, worker="b", now=START, limit=10)
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()
    assert len(mine) == 3 and len(theirs) == 2
    assert not {m.id for m in mine} & {m.id for m in theirs}


def test_a_killed_workers_claim_expires_and_the_resend_keeps_its_message_id(
    engine: Engine, person_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    _write(engine, _new(person_id, "k1"))
    transports = _smtp(smtp_server)
    # Worker a claims and sends, then dies before it can mark the message sent.
    with session_scope(engine) as session:
        [message] = claim(session=session, worker="a", now=clock.at)
    assert transports["email"].send(message).ok
    clock.advance(CLAIM_EXPIRY - timedelta(seconds=1))
    assert deliver_due(engine=engine, transports=transports, worker="b", now=clock).claimed == 0
    clock.advance(timedelta(seconds=2))
    assert len(deliver_due(engine=engine, transports=transports, worker="b", now=clock).sent) == 1
    first, again = smtp_server.emails
    assert first["Message-ID"] == again["Message-ID"] == "<aligna-k1@org.test>"
    assert _message(engine, "k1").sent_at == clock.at


def test_the_inbox_transport_creates_exactly_one_item(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    from aligna.channels.inbox import items, mark_read, unread_count

    _write(engine, _new(person_id, "k1", TransportName.inbox))
    inbox = InboxTransport(engine)
    report = deliver_due(engine=engine, transports={"inbox": inbox}, worker="w", now=clock)
    assert len(report.sent) == 1
    message = _message(engine, "k1")
    with session_scope(engine) as session:
        message = session.get_one(Message, message.id)
        assert inbox.send(message).ok  # delivering again adds nothing
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(InboxItem)) == 1
        assert unread_count(session=session, person_id=person_id) == 1
        [item] = items(session=session, person_id=person_id)
        assert item.message.link == "/kpis/revenue"
        assert mark_read(session=session, person_id=person_id + 1, item_ids=[item.id]) == 0
        assert mark_read(session=session, person_id=person_id, item_ids=[item.id]) == 1
        assert unread_count(session=session, person_id=person_id) == 0


def test_a_message_without_a_configured_transport_waits_and_says_why(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    _write(engine, _new(person_id, "k1"))
    report = deliver_due(engine=engine, transports={}, worker="w", now=clock, jitter=0)
    assert report.failed and _message(engine, "k1").last_error == "no email transport is configured"


class Counting:
    """A transport that accepts everything and counts what it was given, from any thread."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.lock = threading.Lock()

    def send(self, message: Message) -> SendResult:
        with self.lock:
            self.sent.append(message.id)
        return SendResult(ok=True)


def test_racing_workers_send_each_message_once(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    _write(engine, *(_new(person_id, f"k{n}") for n in range(60)))
    transport = Counting()

    def work(name: str) -> None:
        while deliver_due(
            engine=engine, transports={"email": transport}, worker=name, now=clock, limit=7
        ).claimed:
            pass

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(transport.sent) == sorted(set(transport.sent)) and len(transport.sent) == 60
