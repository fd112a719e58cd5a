"""Take the screenshots of docs/web.md: every page of the demo, as its admin and as a member.

Usage: python docs/screenshots.py [--dir aligna-demo] [--people 200]

Builds (or reuses) the demo with `aligna demo --no-serve`, serves it on a free loopback port,
signs in with the demo sign-ins in Debian's chromium (installed by the test harness when
missing) and writes docs/screenshots/*.png.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests" / "web"))

from browser import ensure_chromium, serve_app  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402

from aligna.channels.digest import preview_digest  # noqa: E402
from aligna.db import open_database, session_scope  # noqa: E402
from aligna.demo.logins import DEMO_PASSWORD, demo_logins  # noqa: E402
from aligna.jobs import JOBS, JobContext  # noqa: E402
from aligna.model import PerformanceException  # noqa: E402
from aligna.model.base import utcnow  # noqa: E402
from aligna.settings import load_settings  # noqa: E402
from aligna.web.app import create_app  # noqa: E402


def sign_in(page: Page, base: str, email: str) -> None:
    """Sign in through the form."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$|/map$"))


def main() -> None:
    """Build the demo if needed, then take one screenshot per page."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("aligna-demo"))
    parser.add_argument("--people", type=int, default=200)
    args = parser.parse_args()
    aligna = Path(sys.executable).parent / "aligna"
    subprocess.run(
        [str(aligna), "demo", "--no-serve", "--dir", str(args.dir), "--people", str(args.people)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    settings = load_settings(args.dir.resolve())
    engine = open_database(settings.resolved_database_url())
    with session_scope(engine) as session:
        logins = {login.role: login for login in demo_logins(session)}
        exception = session.scalar(
            select(PerformanceException.id)
            .where(PerformanceException.closed_at.is_(None))
            .order_by(PerformanceException.id)
        )
    # Tell people of what the demo's evaluation found, so inboxes have something in them.
    JOBS["deliver"].run(JobContext(engine, settings, utcnow(), runner="screenshots"))
    digest = preview_digest(engine, settings, person=logins["manager"].person, now=utcnow())[2]
    engine.dispose()
    out = HERE / "screenshots"
    out.mkdir(exist_ok=True)
    with serve_app(create_app(settings)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=ensure_chromium(), headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base, logins["admin"].email)
        shots = {"scorecard": "/", "map": "/map", "objectives": "/objectives"}
        page.goto(f"{base}/map")
        html = page.content()
        first = {
            kind: re.search(rf'href="(/{kind}/[a-z0-9-]+)', html)
            for kind in ("kpis", "initiatives")
        }
        shots.update({k: m.group(1) for k, m in first.items() if m})
        page.goto(f"{base}/")
        home = page.content()
        unit = re.search(r'href="(/units/[a-z0-9-]+)"', home)
        if unit:
            shots["unit"] = unit.group(1)
        shots.update(
            {
                "person": f"/people/{logins['member'].person}",
                "search": "/search?q=on",
                "learn": "/learn/scorecard",
                "admin": "/admin",
                "exception": f"/exceptions/{exception}",
                "preferences": "/me/notifications",
                "admin-escalation": "/admin/escalation",
            }
        )
        for name, path in shots.items():
            page.goto(base + path)
            page.screenshot(path=str(out / f"{name}.png"))
            print(f"docs/screenshots/{name}.png  {path}")
        manager = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(manager, base, logins["manager"].email)
        manager.goto(f"{base}/inbox")
        manager.screenshot(path=str(out / "inbox.png"))
        print("docs/screenshots/inbox.png  /inbox (the manager)")
        page.set_content(digest)
        page.screenshot(path=str(out / "digest-email.png"), full_page=True)
        print("docs/screenshots/digest-email.png  (the manager's digest email)")
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        sign_in(phone, base, logins["member"].email)
        phone.screenshot(path=str(out / "scorecard-phone.png"))
        print("docs/screenshots/scorecard-phone.png  / (a member, on a phone)")
        browser.close()


if __name__ == "__main__":
    main()
