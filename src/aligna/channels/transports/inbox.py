"""The in-app inbox transport: delivering is writing the message's inbox item."""

from __future__ import annotations

from sqlalchemy import Engine

from aligna.channels.masking import error_text
from aligna.channels.sql import insert_ignoring
from aligna.channels.transports.base import SendResult
from aligna.db import session_scope
from aligna.model import InboxItem, Message


class InboxTransport:
    """Puts messages in people's in-app inbox, exactly once per message."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def send(self, message: Message) -> SendResult:
        """Write the inbox item; a second delivery of the same message writes nothing more."""
        try:
            with session_scope(self.engine) as session:
                row = {
                    "person_id": message.person_id,
                    "message_id": message.id,
                    "created_at": message.created_at,
                }
                insert_ignoring(session, InboxItem, [row], "message_id")
        except Exception as exc:  # a transport reports, never raises
            return SendResult(ok=False, error=error_text(exc))
        return SendResult(ok=True)
