"""Admin: the outbox page (counts, dead letters, retry) and the escalation policy (edits audited,
bad values refused with a message)."""

from __future__ import annotations

import re

import pytest
from channel_support import post_form
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from web_support import NOW, WebDemo, build_web_demo, make_app, sign_in

from aligna import model as m
from aligna.channels.outbox import NewMessage, deliver_due, enqueue
from aligna.db import open_database, session_scope
from aligna.enums import TransportName


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> WebDemo:
    return build_web_demo(tmp_path_factory.mktemp("admin-channels") / "demo")


@pytest.fixture(scope="module")
def engine(demo: WebDemo) -> Engine:
    engine = open_database(demo.settings.resolved_database_url())
    yield engine  # type: ignore[misc]
    engine.dispose()


@pytest.fixture(scope="module")
def app(demo: WebDemo, engine: Engine) -> FastAPI:
    return make_app(demo, engine)


@pytest.fixture(scope="module")
def admin(app: FastAPI, demo: WebDemo) -> TestClient:
    return sign_in(app, demo.logins["admin"].email)


def dead_letter(engine: Engine, demo: WebDemo, key: str) -> int:
    """An email to the member that dies at its first attempt: no SMTP server is configured."""
    with session_scope(engine) as session:
        person = session.execute(
            select(m.Person.id).where(m.Person.slug == demo.logins["member"].person)
        ).scalar_one()
        enqueue(
            session=session,
            messages=[
                NewMessage(
                    idempotency_key=key,
                    person_id=person,
                    transport=TransportName.email,
                    subject=f"Subject {key}",
                    body_text="body",
                    event_kind="exception_opened",
                )
            ],
            now=NOW,
        )
    report = deliver_due(engine=engine, transports={}, worker="t", now=lambda: NOW, max_attempts=1)
    assert report.dead, report
    with session_scope(engine) as session:
        return session.execute(
            select(m.Message.id).where(m.Message.idempotency_key == key)
        ).scalar_one()


def test_admin_pages_are_linked_and_for_admins_only(
    admin: TestClient, app: FastAPI, demo: WebDemo
) -> None:
    index = admin.get("/admin").text
    assert 'href="/admin/messages"' in index and 'href="/admin/escalation"' in index
    manager = sign_in(app, demo.logins["manager"].email)
    for path in ("/admin/messages", "/admin/escalation"):
        assert manager.get(path).status_code == 403
        assert admin.get(path).status_code == 200
    assert post_form(manager, "/admin/messages/retry", {"all": "true"}).status_code == 403


def test_a_dead_letter_is_listed_and_retried(
    admin: TestClient, engine: Engine, demo: WebDemo
) -> None:
    first, second = dead_letter(engine, demo, "t:one"), dead_letter(engine, demo, "t:two")
    page = admin.get("/admin/messages").text
    assert "Subject t:one" in page and "Subject t:two" in page
    assert "no email transport is configured" in page
    assert demo.logins["member"].name in page
    counts = re.search(r"<th scope=\"row\">email</th><td class=\"num\">(\d+)</td>", page)
    assert counts, page
    retried = post_form(admin, "/admin/messages/retry", {"message": str(first)})
    assert retried.status_code == 303 and retried.headers["location"].endswith("retried=1")
    assert "1 dead letter will be tried again now." in admin.get(retried.headers["location"]).text
    with session_scope(engine) as session:
        revived = session.get(m.Message, first)
        still = session.get(m.Message, second)
        assert revived is not None and revived.dead_at is None and revived.attempts == 0
        assert still is not None and still.dead_at is not None
    every = post_form(admin, "/admin/messages/retry", {"all": "true"})
    assert every.headers["location"].endswith("retried=1")
    with session_scope(engine) as session:
        assert session.get(m.Message, second).dead_at is None  # type: ignore[union-attr]
    assert "No dead letters." in admin.get("/admin/messages").text


def values(page: str) -> dict[str, str]:
    """The escalation form's values by field name."""
    return dict(re.findall(r'name="([a-z_*]+\.(?:days|levels))"[^>]*value="(\d*)"', page))


def test_the_escalation_policy_shows_the_effective_rules_and_saves_an_audited_edit(
    admin: TestClient, engine: Engine
) -> None:
    page = admin.get("/admin/escalation").text
    assert "aligna apply" in page and "channels.yaml" in page
    shown = values(page)
    assert set(shown) == {
        f"{kind}.{field}"
        for kind in ("off_track", "adverse_signal", "overdue_milestone", "stale", "*")
        for field in ("days", "levels")
    }
    form = {
        **shown,
        "off_track.days": "10",
        "off_track.levels": "3",
        "*.days": "6",
        "*.levels": "1",
    }
    saved = post_form(admin, "/admin/escalation", form)
    assert saved.status_code == 303
    after = admin.get(saved.headers["location"]).text
    assert "Saved: the escalation policy is changed" in after
    assert values(after)["off_track.days"] == "10" and values(after)["*.levels"] == "1"
    with session_scope(engine) as session:
        rules = {
            r.exception_kind: (r.days, r.levels)
            for r in session.execute(select(m.EscalationRule)).scalars()
        }
        assert rules["off_track"] == (10, 3) and rules["*"] == (6, 1)
        entries = session.execute(
            select(m.AuditEntry, m.ChangeSet)
            .join(m.ChangeSet, m.ChangeSet.id == m.AuditEntry.change_set_id)
            .where(m.AuditEntry.entity_kind == "escalation_rule", m.ChangeSet.source == "web")
        ).all()
        audited = {entry.entity_id: (entry.action, entry.after) for entry, _ in entries}
        # "add" when the project files declared no rule for the kind, else "change".
        assert audited["off_track"][0] in ("add", "change")
        assert audited["off_track"][1] == {"days": 10, "levels": 3}
        change_set = entries[0][1]
        assert change_set.actor == "anika.ivanova@tidewell.example" and change_set.source == "web"
    # Saving the same values again writes no empty change set.
    again = post_form(admin, "/admin/escalation", values(after))
    assert again.status_code == 303
    with session_scope(engine) as session:
        count = len(
            session.execute(
                select(m.AuditEntry)
                .join(m.ChangeSet, m.ChangeSet.id == m.AuditEntry.change_set_id)
                .where(m.AuditEntry.entity_kind == "escalation_rule", m.ChangeSet.source == "web")
            ).all()
        )
        assert count == len(audited)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stale.days", "0", "Stale data: days must be from 1 to 365, not 0."),
        ("stale.days", "366", "Stale data: days must be from 1 to 365, not 366."),
        ("adverse_signal.levels", "11", "Adverse signal: levels must be from 0 to 10, not 11."),
        ("adverse_signal.levels", "-1", "Adverse signal: levels must be from 0 to 10, not -1."),
        ("overdue_milestone.days", "soon", "Overdue milestone: days &#39;soon&#39; is not a whole"),
    ],
)
def test_bad_escalation_values_are_refused_with_a_message(
    admin: TestClient, engine: Engine, field: str, value: str, message: str
) -> None:
    with session_scope(engine) as session:
        before = {
            r.exception_kind: (r.days, r.levels)
            for r in session.execute(select(m.EscalationRule)).scalars()
        }
    form = values(admin.get("/admin/escalation").text)
    form["off_track.days"] = "20"  # a good change beside the bad one: neither is saved
    form[field] = value
    refused = post_form(admin, "/admin/escalation", form)
    assert refused.status_code == 422
    assert message in refused.text
    assert 'aria-invalid="true"' in refused.text
    with session_scope(engine) as session:
        after = {
            r.exception_kind: (r.days, r.levels)
            for r in session.execute(select(m.EscalationRule)).scalars()
        }
    assert after == before
