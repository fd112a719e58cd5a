"""Why an Apprise notification failed: Apprise logs the reason instead of raising it.

Apprise reports "Failed to send ... error=500" as a warning and the cause of a connection
error ("Connection refused") only at debug level, on its one process-wide logger. While a
send runs, that logger is lowered to DEBUG and a filter keeps each record for the send that
caused it (found through a context variable, which Apprise copies into its worker threads),
while passing on to the application's handlers only what they would have had anyway: the
debug records repeat URLs with their header values in clear.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

LOGGER_NAME = "apprise"
# Debug records worth storing: the socket error behind a connection failure, the receiver's answer.
DETAIL_PREFIXES = ("Socket Exception", "Response Details")
DETAIL_LENGTH = 300
# Apprise's "private" form of a secret keeps its first and last letters (`P...d`): hide those.
PRIVATE_FORM = re.compile(r"[^\s/:@?&=.]\.\.\.[^\s/:@?&=.]")

_records: ContextVar[list[logging.LogRecord] | None] = ContextVar("apprise_records", default=None)


class _Capture(logging.Filter):
    """Keeps the records of sends that asked for them; passes on what the level allowed before."""

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__()
        self.logger = logger
        self.lock = threading.Lock()
        self.active = 0
        self.saved_level = logging.NOTSET
        self.threshold = logging.WARNING

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record for its send, if any; let it through only above the usual level."""
        records = _records.get()
        if records is not None:
            records.append(record)
        return self.active == 0 or record.levelno >= self.threshold

    def enter(self) -> None:
        """Lower the logger to DEBUG for the first of the sends running at once."""
        with self.lock:
            if self.active == 0:
                self.saved_level = self.logger.level
                self.threshold = self.logger.getEffectiveLevel()
                self.logger.setLevel(logging.DEBUG)
            self.active += 1

    def leave(self) -> None:
        """Give the logger its level back after the last of the sends running at once."""
        with self.lock:
            self.active -= 1
            if self.active == 0:
                self.logger.setLevel(self.saved_level)


_lock = threading.Lock()
_capture: _Capture | None = None


def _installed() -> _Capture:
    """The filter on Apprise's logger, installed once."""
    global _capture
    with _lock:
        if _capture is None:
            logger = logging.getLogger(LOGGER_NAME)
            _capture = _Capture(logger)
            logger.addFilter(_capture)
        return _capture


@contextmanager
def captured() -> Iterator[list[logging.LogRecord]]:
    """The records Apprise logs for the work done inside the block (in this context only)."""
    capture = _installed()
    records: list[logging.LogRecord] = []
    token = _records.set(records)
    capture.enter()
    try:
        yield records
    finally:
        capture.leave()
        _records.reset(token)


def reason(records: list[logging.LogRecord]) -> str:
    """Why a notification failed, from its records: warnings and errors with their causes."""
    lines: list[str] = []
    for record in records:
        text = " ".join(record.getMessage().split())
        if record.levelno >= logging.WARNING:
            lines.append(text)
        elif text.startswith(DETAIL_PREFIXES):
            lines.append(text[:DETAIL_LENGTH])
    return PRIVATE_FORM.sub("...", "; ".join(dict.fromkeys(lines)))
