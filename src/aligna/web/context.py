"""What every request handler shares: settings, the database, templates, the clock, the secret."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from aligna.model.base import utcnow
from aligna.settings import Settings

WEB = Path(__file__).parent
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"
SECRET_FILE = ".aligna-secret"


@dataclass
class WebContext:
    """The application's shared state, kept on `app.state.aligna`."""

    settings: Settings
    engine: Engine
    templates: Jinja2Templates
    secret: str
    clock: Callable[[], datetime] = field(default=utcnow)
    schema_current: bool = False  # what /ready found last

    def now(self) -> datetime:
        """The current time (a test may set the clock)."""
        return self.clock()

    def today(self) -> date:
        """Today in the organisation's time zone."""
        return self.now().astimezone(ZoneInfo(self.settings.timezone)).date()

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure when people reach aligna over https."""
        return self.settings.public_url.startswith("https://")


def resolve_secret(settings: Settings) -> str:
    """The secret key: from settings, else one kept in the project folder (made once)."""
    if settings.secret_key:
        return settings.secret_key
    if settings.project is None:
        # No folder to keep it in: sessions last as long as this process.
        return secrets.token_urlsafe(48)
    path = settings.project / SECRET_FILE
    try:
        # Created exclusively: web workers starting together must all read the same secret.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
    for _ in range(50):  # another process may be writing it this very moment
        secret = path.read_text(encoding="utf-8").strip()
        if secret:
            return secret
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it, and aligna makes a new secret")
