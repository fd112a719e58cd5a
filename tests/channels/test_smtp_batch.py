"""SMTP connection reuse: one connection and login per delivery round, reopened when dropped."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from smtp_support import PASSWORD, START, Clock, Recorder, SmtpServer, free_port
from sqlalchemy import Engine, select

from aligna.channels.outbox import NewMessage, deliver_due, enqueue
from aligna.channels.transports import SendResult, SmtpTransport, Transport
from aligna.channels.transports.smtp import SmtpConnection
from aligna.db import session_scope
from aligna.enums import TransportName
from aligna.model import Message, Person


class Counting(Recorder):
    """Records emails and counts connections (one EHLO each), messages per connection and
    QUITs; after close_after messages on one connection it drops it at the next MAIL, as
    servers limiting messages per connection do; it refuses recipients listed in refuse."""

    def __init__(self, close_after: int = 0, refuse: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.close_after = close_after
        self.refuse = refuse
        self.connections = 0
        self.quits = 0
        self.per_connection: dict[Any, int] = {}

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self.connections += 1
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.close_after and self.per_connection.get(session, 0) >= self.close_after:
            server.transport.close()
            return "421 Too many messages on this connection"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.per_connection[session] = self.per_connection.get(session, 0) + 1
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        self.quits += 1
        return "221 Bye"


@dataclass
class LoginCounter:
    """Accepts the test password and counts logins."""

    logins: int = 0

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        self.logins += 1
        return AuthResult(success=data.password.decode() == PASSWORD)


@dataclass
class CountingServer(SmtpServer):
    """The local SMTP server of the channel tests, counting connections and logins."""

    recorder: Counting = field(default_factory=Counting)
    auth: LoginCounter = field(default_factory=LoginCounter)

    def start(self) -> None:
        self.controller = Controller(
            self.recorder,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.auth,
            auth_require_tls=False,
        )
        self.controller.start()


@contextmanager
def _server(**options: Any) -> Iterator[CountingServer]:
    server = CountingServer(port=free_port(), recorder=Counting(**options))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _transport(server: SmtpServer) -> SmtpTransport:
    return SmtpTransport(
        host="127.0.0.1",
        port=server.port,
        security="none",
        username="aligna",
        password=PASSWORD,
        mail_from="aligna <aligna@org.test>",
        timeout=5,
    )


def _write(engine: Engine, person_ids: list[int], count: int) -> None:
    messages = [
        NewMessage(
            idempotency_key=f"k{n}",
            person_id=person_ids[n % len(person_ids)],
            transport=TransportName.email,
            subject=f"Message {n}",
            body_text=f"Message {n}.",
            body_html=f"<p>Message {n}.</p>",
            event_kind="test",
        )
        for n in range(count)
    ]
    with session_scope(engine) as session:
        enqueue(session=session, messages=messages, now=START)


def _ids(server: SmtpServer) -> list[str]:
    return sorted(str(email["Message-ID"]) for email in server.emails)


def _expected(count: int) -> list[str]:
    return sorted(f"<aligna-k{n}@org.test>" for n in range(count))


def test_fifty_messages_in_one_round_use_one_connection_and_one_login(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    _write(engine, [person_id], 50)
    with _server() as server:
        report = deliver_due(
            engine=engine, transports={"email": _transport(server)}, worker="w", now=clock
        )
    assert len(report.sent) == 50 and report.claimed == 50
    assert _ids(server) == _expected(50)
    assert (server.recorder.connections, server.auth.logins, server.recorder.quits) == (1, 1, 1)


def test_a_server_closing_the_connection_after_n_messages_is_reconnected_within_the_round(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    _write(engine, [person_id], 50)
    with _server(close_after=20) as server:
        report = deliver_due(
            engine=engine, transports={"email": _transport(server)}, worker="w", now=clock
        )
    assert len(report.sent) == 50 and report.failed == []
    assert _ids(server) == _expected(50)  # each once: the dropped MAIL was never accepted
    assert server.recorder.connections == server.auth.logins == 3


def test_a_refused_recipient_fails_its_message_and_keeps_the_connection(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    with session_scope(engine) as session:
        unit_id = session.get_one(Person, person_id).unit_id
        gone = Person(slug="gone", name="Gone", email="gone@example.org", unit_id=unit_id)
        session.add(gone)
        session.flush()
        gone_id = gone.id
    _write(engine, [person_id, gone_id], 10)
    with _server(refuse=frozenset({"gone@example.org"})) as server:
        report = deliver_due(
            engine=engine, transports={"email": _transport(server)}, worker="w", now=clock
        )
    assert (len(report.sent), len(report.failed)) == (5, 5)
    assert server.recorder.connections == 1
    with session_scope(engine) as session:
        errors = session.scalars(select(Message.last_error).where(Message.person_id == gone_id))
        assert all("SMTPRecipientsRefused" in e and "No such user" in e for e in errors)


class Restarting:
    """An email transport whose server goes down after `down` messages of a round and is back
    before message `up`: what a restart of the mail server looks like to a worker."""

    def __init__(self, transport: SmtpTransport, server: SmtpServer, down: int, up: int) -> None:
        self.transport = transport
        self.server = server
        self.down = down
        self.up = up

    def send(self, message: Message) -> SendResult:
        return self.transport.send(message)

    @contextmanager
    def batch(self) -> Iterator[RestartingSender]:
        with self.transport.batch() as connection:
            yield RestartingSender(self, connection)


class RestartingSender:
    """The sender of a Restarting transport's round: stops and starts the server on cue."""

    def __init__(self, restarting: Restarting, connection: SmtpConnection) -> None:
        self.restarting = restarting
        self.connection = connection
        self.count = 0

    def send(self, message: Message) -> SendResult:
        if self.count == self.restarting.down:
            self.restarting.server.stop()
        if self.count == self.restarting.up:
            self.restarting.server.start()
        self.count += 1
        return self.connection.send(message)


def test_a_server_restart_mid_round_loses_nothing(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    _write(engine, [person_id], 30)
    with _server() as server:
        transports: dict[str, Transport] = {
            "email": Restarting(_transport(server), server, down=10, up=15)
        }
        first = deliver_due(engine=engine, transports=transports, worker="w", now=clock, jitter=0)
        # Messages 10-14 found the server gone: the reused connection dropped, a new one was
        # refused; each of them failed on its own, and message 15 connected again.
        assert (len(first.sent), len(first.failed)) == (25, 5)
        assert server.recorder.connections == 2
        with session_scope(engine) as session:
            errors = list(session.scalars(select(Message.last_error).where(Message.attempts == 1)))
        assert len(errors) == 5
        assert all("ConnectionRefusedError" in e and PASSWORD not in e for e in errors)
        clock.advance(timedelta(minutes=1))
        second = deliver_due(
            engine=engine, transports={"email": _transport(server)}, worker="w", now=clock
        )
    assert len(second.sent) == 5
    assert _ids(server) == _expected(30)


def test_a_single_send_still_opens_and_closes_its_own_connection() -> None:
    message = Message(idempotency_key="k1", subject="s", body_text="b")
    message.person = Person(slug="ada", name="Ada", email="ada@example.org", unit_id=1)
    with _server() as server:
        transport = _transport(server)
        assert transport.send(message).ok and transport.send(message).ok
    assert (server.recorder.connections, server.recorder.quits, server.auth.logins) == (2, 2, 2)


class Slow:
    """An email transport whose every send takes two minutes by the test's clock."""

    def __init__(self, transport: SmtpTransport, clock: Clock) -> None:
        self.transport = transport
        self.clock = clock

    def send(self, message: Message) -> SendResult:
        return self.transport.send(message)

    @contextmanager
    def batch(self) -> Iterator[SlowSender]:
        with self.transport.batch() as connection:
            yield SlowSender(connection, self.clock)


class SlowSender:
    """The sender of a Slow transport's round."""

    def __init__(self, connection: SmtpConnection, clock: Clock) -> None:
        self.connection = connection
        self.clock = clock

    def send(self, message: Message) -> SendResult:
        self.clock.advance(timedelta(minutes=2))
        return self.connection.send(message)


def test_a_slow_round_gives_back_the_rest_and_closes_its_connection(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    _write(engine, [person_id], 10)
    with _server() as server:
        slow: dict[str, Transport] = {"email": Slow(_transport(server), clock)}
        first = deliver_due(engine=engine, transports=slow, worker="a", now=clock)
        # Half the claim expiry (5 minutes) passed after the third message: the rest go back.
        assert (len(first.sent), len(first.released)) == (3, 7)
        assert (server.recorder.connections, server.recorder.quits) == (1, 1)
        other = deliver_due(
            engine=engine, transports={"email": _transport(server)}, worker="b", now=clock
        )
    assert sorted(other.sent) == sorted(first.released)
    assert _ids(server) == _expected(10)
