"""Email by SMTP: multipart plain text and HTML, a stable Message-ID, errors with secrets masked.

A delivery round sends all its email over one connection (`SmtpTransport.batch`), logging in
once: opening a connection per message (TCP, TLS, AUTH) capped throughput.
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.charset import QP, Charset
from email.message import Message as Email
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import Literal

from aligna.channels.masking import error_text
from aligna.channels.transports.base import SendResult
from aligna.model import Message
from aligna.settings import Settings

Security = Literal["starttls", "ssl", "none"]
# A dot-atom of letters, digits and _+=- (RFC 5322), short enough for one header line.
_SAFE_KEY = re.compile(r"(?=.{1,200}$)[A-Za-z0-9_+=-]+(\.[A-Za-z0-9_+=-]+)*")
# The server refused this one message; smtplib has reset the transaction and the connection
# can carry the next (a 421 closes it, which the next message finds out and handles).
_MESSAGE_REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)
# UTF-8 bodies as quoted-printable: readable, and safe for long lines and any server.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def message_id(idempotency_key: str, domain: str) -> str:
    """The Message-ID of a message: the same on every attempt, so receivers can drop repeats."""
    # Keys are free text; anything unfit for a Message-ID is replaced by its hash.
    key = idempotency_key if _SAFE_KEY.fullmatch(idempotency_key) else None
    key = key or hashlib.sha256(idempotency_key.encode()).hexdigest()
    return f"<aligna-{key}@{domain}>"


class SmtpTransport:
    """Sends messages to people's email addresses through one SMTP server."""

    def __init__(
        self,
        *,
        host: str,
        port: int = 587,
        security: Security = "starttls",
        username: str = "",
        password: str | None = None,
        mail_from: str = "aligna@localhost",
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.mail_from = mail_from
        self.timeout = timeout
        self.domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpTransport | None:
        """The transport the settings describe, or None when no SMTP server is set."""
        if not settings.smtp_host:
            return None
        password = settings.smtp_password
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=password.get_secret_value() if password else None,
            mail_from=settings.mail_from,
            timeout=settings.smtp_timeout_seconds,
        )

    def compose(self, message: Message) -> Email:
        """The email of a message: plain text, with an HTML alternative when it has one."""
        if message.person is None:
            raise ValueError("an email message needs a person to send it to")
        # The email.mime classes compose about four times faster than EmailMessage, whose
        # header registry parses each header again on the way in and out: that was a third of
        # the time of a delivery round (benchmarks/channels.py).
        plain = MIMEText(message.body_text, "plain", _UTF8)  # type: ignore[arg-type]
        email: Email = plain
        if message.body_html:
            email = MIMEMultipart("alternative")
            email.attach(plain)
            email.attach(MIMEText(message.body_html, "html", _UTF8))  # type: ignore[arg-type]
        email["Subject"] = message.subject  # non-ASCII becomes RFC 2047 encoded words
        email["From"] = _address(self.mail_from)
        email["To"] = _address(message.person.email)
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = message_id(message.idempotency_key, self.domain)
        email["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to aligna
        return email

    def send(self, message: Message) -> SendResult:
        """Send one message over a connection of its own; any failure is a masked result."""
        with self.batch() as connection:
            return connection.send(message)

    @contextmanager
    def batch(self) -> Iterator[SmtpConnection]:
        """One connection for a delivery round: opened at its first message, closed at the end."""
        connection = SmtpConnection(self)
        try:
            yield connection
        finally:
            connection.close()

    def connect(self) -> smtplib.SMTP:
        """An open connection, encrypted as the settings say and logged in when they say so."""
        context = ssl.create_default_context()
        if self.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


def _address(value: str) -> str:
    """An address header value, its display name encoded when it is not ASCII."""
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if address else value


class SmtpConnection:
    """The connection of one delivery round: opened when first needed, reused, reopened when
    the server drops it."""

    def __init__(self, transport: SmtpTransport) -> None:
        self.transport = transport
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: Message) -> SendResult:
        """Send one message on the round's connection; any failure is a masked result."""
        try:
            self._deliver(self.transport.compose(message))
        except Exception as exc:  # a transport reports, never raises
            return SendResult(ok=False, error=error_text(exc, [self.transport.password]))
        return SendResult(ok=True)

    def close(self) -> None:
        """Say goodbye to the server; a connection already gone is simply forgotten."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except Exception:  # the round's messages are sent or failed already
            smtp.close()

    def _deliver(self, email: Email) -> None:
        """Send on the open connection, or a new one; once more if the server dropped it."""
        for attempt in (1, 2):
            reused = self._smtp is not None
            smtp = self._smtp or self._open()
            try:
                smtp.send_message(email)
                return
            except _MESSAGE_REFUSED:
                raise
            except smtplib.SMTPServerDisconnected:
                self._drop()
                # Servers close connections they kept open (an idle timeout, a limit of
                # messages per connection): that says nothing about this message, so it goes
                # once more on a fresh connection. A fresh one dropping is this message's failure.
                if not reused or attempt == 2:
                    raise
            except BaseException:
                self._drop()  # the connection's state is unknown: never reuse it
                raise

    def _open(self) -> smtplib.SMTP:
        """Open and keep a new connection."""
        self._smtp = self.transport.connect()
        return self._smtp

    def _drop(self) -> None:
        """Forget the connection without talking to the server again."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()
