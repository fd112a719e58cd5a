"""Email by SMTP: multipart plain text and HTML, a stable Message-ID, errors with secrets masked."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Literal

from aligna.channels.masking import error_text
from aligna.channels.transports.base import SendResult
from aligna.model import Message
from aligna.settings import Settings

Security = Literal["starttls", "ssl", "none"]
# A dot-atom of letters, digits and _+=- (RFC 5322), short enough for one header line.
_SAFE_KEY = re.compile(r"(?=.{1,200}$)[A-Za-z0-9_+=-]+(\.[A-Za-z0-9_+=-]+)*")


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

    def compose(self, message: Message) -> EmailMessage:
        """The email of a message: plain text, with an HTML alternative when it has one."""
        email = EmailMessage()
        email["Subject"] = message.subject
        email["From"] = self.mail_from
        email["To"] = message.person.email
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = message_id(message.idempotency_key, self.domain)
        email["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to aligna
        email.set_content(message.body_text)
        if message.body_html:
            email.add_alternative(message.body_html, subtype="html")
        return email

    def send(self, message: Message) -> SendResult:
        """Send one message over a fresh connection; any failure is a masked result."""
        try:
            email = self.compose(message)
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(email)
        except Exception as exc:  # a transport reports, never raises
            return SendResult(ok=False, error=error_text(exc, [self.password]))
        return SendResult(ok=True)

    def _connect(self) -> smtplib.SMTP:
        """An open connection, encrypted as the settings say."""
        context = ssl.create_default_context()
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                smtp.starttls(context=context)
        except BaseException:
            smtp.close()
            raise
        return smtp
