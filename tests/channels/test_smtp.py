"""The SMTP transport: settings, and secrets kept out of every stored error."""

from __future__ import annotations

import base64
import smtplib
from pathlib import Path

import pytest
from smtp_support import PASSWORD, Clock, SmtpServer, free_port
from sqlalchemy import Engine, select

from aligna.channels.masking import MASK, mask_secrets
from aligna.channels.outbox import NewMessage, deliver_due, enqueue
from aligna.channels.transports import SmtpTransport
from aligna.db import session_scope
from aligna.enums import TransportName
from aligna.model import Message
from aligna.settings import Settings, SettingsError, load_settings


def _transport(port: int) -> SmtpTransport:
    return SmtpTransport(
        host="127.0.0.1", port=port, security="none", username="aligna", password=PASSWORD
    )


def _last_error(engine: Engine, person_id: int, transport: SmtpTransport, clock: Clock) -> str:
    message = NewMessage(
        idempotency_key="k1",
        person_id=person_id,
        transport=TransportName.email,
        subject="Hello",
        body_text="Hello",
        event_kind="test",
    )
    with session_scope(engine) as session:
        enqueue(session=session, messages=[message], now=clock.at)
    report = deliver_due(engine=engine, transports={"email": transport}, worker="w", now=clock)
    assert len(report.failed) == 1
    with session_scope(engine) as session:
        return session.scalars(select(Message.last_error)).one()


def test_a_refused_login_is_stored_without_the_password(
    engine: Engine, person_id: int, clock: Clock
) -> None:
    server = SmtpServer(port=free_port(), refuse_logins=True)
    server.start()
    try:
        error = _last_error(engine, person_id, _transport(server.port), clock)
    finally:
        server.stop()
    assert "SMTPAuthenticationError" in error and PASSWORD not in error
    assert server.emails == []


def test_an_error_quoting_the_password_is_masked(
    engine: Engine, person_id: int, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded = base64.b64encode(PASSWORD.encode()).decode()

    def echoing_login(self: smtplib.SMTP, user: str, password: str) -> None:
        raise smtplib.SMTPAuthenticationError(535, f"bad {password} ({encoded})".encode())

    monkeypatch.setattr(smtplib.SMTP, "login", echoing_login)
    server = SmtpServer(port=free_port())
    server.start()
    try:
        error = _last_error(engine, person_id, _transport(server.port), clock)
    finally:
        server.stop()
    assert PASSWORD not in error and encoded not in error and MASK in error


def test_masking_takes_the_longest_secret_first() -> None:
    assert mask_secrets("a hunter2x b", ["hunter2", "hunter2x", None, ""]) == f"a {MASK} b"


def test_settings_describe_the_transport_and_the_password_stays_out_of_files(
    tmp_path: Path,
) -> None:
    assert SmtpTransport.from_settings(Settings()) is None
    settings = Settings(
        smtp_host="mail.org.test",
        smtp_port=465,
        smtp_security="ssl",
        smtp_username="aligna",
        smtp_password=PASSWORD,
        mail_from="aligna <aligna@org.test>",
    )
    transport = SmtpTransport.from_settings(settings)
    assert transport is not None
    assert (transport.port, transport.security, transport.password) == (465, "ssl", PASSWORD)
    assert transport.domain == "org.test"
    assert PASSWORD not in repr(settings)
    (tmp_path / "aligna.toml").write_text(f'[project]\nsmtp_password = "{PASSWORD}"\n')
    with pytest.raises(SettingsError, match="ALIGNA_SMTP_PASSWORD") as raised:
        load_settings(tmp_path)
    assert PASSWORD not in str(raised.value)
