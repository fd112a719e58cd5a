"""Composing email: words beyond ASCII survive in the subject, the names and both bodies."""

from __future__ import annotations

from email import message_from_bytes, policy

from aligna.channels.transports import SmtpTransport
from aligna.model import Message, Person


def _message(html: str | None) -> Message:
    message = Message(
        idempotency_key="kpi-7.off-track",
        subject="Umsatz pro Kopf ist unter Plan — Größe ✓",
        body_text="Der Wert liegt 12 % unter dem Ziel.\n" + "lange Zeile " * 20,
        body_html=html,
    )
    message.person = Person(slug="zoe", name="Zoë", email="zoe@example.org", unit_id=1)
    return message


def test_non_ascii_subject_sender_name_and_bodies_survive_the_trip() -> None:
    transport = SmtpTransport(host="mail.test", mail_from="Alignä Büro <aligna@org.test>")
    raw = transport.compose(_message("<p>Größe ✓</p>")).as_bytes()
    assert max(raw) < 128  # 7-bit on the wire: any server takes it
    email = message_from_bytes(raw, policy=policy.default)
    assert email["Subject"] == "Umsatz pro Kopf ist unter Plan — Größe ✓"
    assert email["From"].addresses[0].display_name == "Alignä Büro"
    assert email["From"].addresses[0].addr_spec == "aligna@org.test"
    assert email["To"] == "zoe@example.org"
    assert email["Message-ID"] == "<aligna-kpi-7.off-track@org.test>"
    assert email["Auto-Submitted"] == "auto-generated"
    plain = email.get_body(preferencelist=("plain",))
    html = email.get_body(preferencelist=("html",))
    assert plain is not None and plain.get_content() == _message(None).body_text
    assert html is not None and html.get_content() == "<p>Größe ✓</p>"


def test_without_html_the_email_is_plain_text() -> None:
    email = SmtpTransport(host="mail.test").compose(_message(None))
    assert email.get_content_type() == "text/plain"
    parsed = message_from_bytes(email.as_bytes(), policy=policy.default)
    assert parsed.get_content().startswith("Der Wert liegt 12 % unter dem Ziel.")
