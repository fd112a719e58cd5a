"""Admin: upload a project folder as a zip, see its problems or its plan, apply it safely."""

from __future__ import annotations

import io
import os
import re
import stat
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from web_support import WebDemo, build_web_demo, csrf_of, make_app, sign_in

from aligna import model as m
from aligna.db import open_database, session_scope
from aligna.web.pages.admin_staging import MAX_ENTRIES, UPLOADS, clean_old_uploads

Edit = Callable[[str, str], str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> WebDemo:
    return build_web_demo(tmp_path_factory.mktemp("admin-project") / "demo")


@pytest.fixture(scope="module")
def clients(demo: WebDemo) -> dict[str, TestClient]:
    app = make_app(demo)
    return {role: sign_in(app, login.email) for role, login in demo.logins.items()}


@pytest.fixture(scope="module")
def admin(clients: dict[str, TestClient]) -> TestClient:
    return clients["admin"]


def project_files(folder: Path) -> list[Path]:
    """The project's own files in the demo folder: not its database, warehouse or secret."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and (p.suffix in (".yaml", ".csv") or p.name == "aligna.toml")
    )


def project_zip(folder: Path, edit: Edit | None = None, prefix: str = "") -> bytes:
    """A zip of the demo's project files, each optionally edited, under an optional folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in project_files(folder):
            text = path.read_text(encoding="utf-8")
            archive.writestr(prefix + path.name, edit(path.name, text) if edit else text)
    return buffer.getvalue()


def rename_first_kpi(new_name: str) -> tuple[Edit, list[str]]:
    """An edit renaming the first KPI of kpis.yaml, and (once run) that KPI's id."""
    renamed: list[str] = []

    def edit(name: str, text: str) -> str:
        if name != "kpis.yaml":
            return text
        found = re.search(r"^  - id: (\S+)\n    name: (.*)$", text, re.MULTILINE)
        assert found, text[:500]
        renamed.append(found[1])
        return text[: found.start(2)] + new_name + text[found.end(2) :]

    return edit, renamed


def upload(client: TestClient, content: bytes, name: str = "project.zip") -> object:
    token = csrf_of(client, "/admin/project")
    return client.post(
        "/admin/project",
        data={"csrf_token": token},
        files={"file": (name, content, "application/zip")},
    )


def upload_id(html: str) -> str:
    found = re.search(r'action="/admin/project/([0-9a-f]{32})/apply"', html)
    assert found, html[:2000]
    return found[1]


def fingerprint(html: str) -> str:
    found = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', html)
    assert found, html[:2000]
    return found[1]


def staging(demo: WebDemo) -> Path:
    return demo.folder / UPLOADS


def folder_state(folder: Path) -> dict[str, float]:
    """Every path below a folder (staging excluded) with its modification time."""
    return {
        str(p.relative_to(folder)): p.stat().st_mtime
        for p in folder.rglob("*")
        if UPLOADS not in p.parts and not p.name.startswith("aligna.db")
    }


def apply(client: TestClient, html: str, message: str) -> object:
    return client.post(
        f"/admin/project/{upload_id(html)}/apply",
        data={
            "csrf_token": csrf_of(client, "/admin/project"),
            "message": message,
            "fingerprint": fingerprint(html),
        },
        follow_redirects=False,
    )


def test_upload_form_is_linked_and_accessible(demo: WebDemo, admin: TestClient) -> None:
    overview = admin.get("/admin").text
    assert 'href="/admin/project"' in overview and 'href="/admin/accounts"' in overview
    assert 'id="connections-heading"' in overview
    page = admin.get("/admin/project")
    assert page.status_code == 200
    html = page.text
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="project-zip">' in html and 'id="project-zip"' in html
    assert 'accept=".zip' in html and 'aria-describedby="project-zip-help"' in html
    assert 'name="csrf_token"' in html


def test_a_renamed_kpi_is_planned_applied_and_audited(demo: WebDemo, admin: TestClient) -> None:
    before = folder_state(demo.folder)
    edit, renamed = rename_first_kpi("Renamed from the web")
    page = upload(admin, project_zip(demo.folder, edit))
    assert page.status_code == 200, page.text[:2000]
    html = page.text
    slug = renamed[0]
    # The plan holds exactly that one change, the name, before and after.
    assert re.search(
        r"<th scope=\"row\">KPIs</th>\s*<td class=\"num\"></td>\s*<td class=\"num\">1</td>", html
    ), html
    rows = re.findall(r'<span class="plan-action plan-(\w+)">', html)
    assert rows == ["change"]
    assert f"<code>{slug}</code>" in html
    assert "name: " in html and "→ Renamed from the web" in html
    # Uploading never touches the project's own files.
    assert folder_state(demo.folder) == before
    staged = staging(demo) / upload_id(html)
    assert staged.is_dir()

    missing = apply(admin, html, "   ")
    assert missing.status_code == 400 and 'role="alert"' in missing.text
    assert "Say why" in missing.text

    done = apply(admin, html, "rename from the web")
    assert done.status_code == 303, done.text[:2000]
    assert not staged.exists()  # the staging folder is gone once applied
    shown = admin.get(done.headers["location"]).text
    change_set_id = int(done.headers["location"].rsplit("=", 1)[1])
    assert f"change set {change_set_id}" in shown
    email = demo.logins["admin"].email
    engine = open_database(demo.settings.resolved_database_url())
    try:
        with session_scope(engine) as session:
            name = session.execute(select(m.Kpi.name).where(m.Kpi.slug == slug)).scalar_one()
            change_set = session.get(m.ChangeSet, change_set_id)
            assert name == "Renamed from the web"
            assert change_set is not None
            assert change_set.actor == f"web:{email}"
            assert change_set.message == "rename from the web"
    finally:
        engine.dispose()
    assert f"web:{email}" in shown
    # Applied once: the upload is gone.
    assert admin.get(f"/admin/project/{upload_id(html)}").status_code == 404


def test_a_zip_with_one_top_folder_is_read_inside_it(demo: WebDemo, admin: TestClient) -> None:
    page = upload(admin, project_zip(demo.folder, prefix="my-project/"))
    assert page.status_code == 200, page.text[:2000]
    assert "No changes" in page.text or "plan-action" in page.text


def test_a_yaml_syntax_error_is_listed_with_file_and_line(demo: WebDemo, admin: TestClient) -> None:
    def broken(name: str, text: str) -> str:
        return (
            text.replace("\n  - id: ", "\n  - id: [unclosed\n", 1) if name == "kpis.yaml" else text
        )

    page = upload(admin, project_zip(demo.folder, broken))
    assert page.status_code == 422
    html = page.text
    assert 'role="alert"' in html
    lines = re.findall(r"<li><code>(kpis\.yaml:\d+:\d+: [^<]+)</code></li>", html)
    assert lines, html[:3000]
    assert 'action="/admin/project/' not in html.replace('action="/admin/project"', "")


@pytest.mark.parametrize(
    "entry", ["../evil.txt", "/tmp/aligna-evil.txt", "sub/../../evil.txt", "..\\evil.txt"]
)
def test_paths_out_of_the_staging_folder_are_refused(
    demo: WebDemo, admin: TestClient, entry: str
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("aligna.toml", "[project]\nname = 'x'\n")
        info = zipfile.ZipInfo("placeholder")
        info.filename = entry  # ZipInfo would clean a leading slash; an attacker's would not
        archive.writestr(info, "owned")
    before = set(demo.folder.parent.rglob("*"))
    page = upload(admin, buffer.getvalue(), "evil.zip")
    assert page.status_code == 400
    assert 'role="alert"' in page.text
    assert re.search(r"absolute path|climbs out|backslash", page.text)
    after = set(demo.folder.parent.rglob("*"))
    assert {p for p in after - before if UPLOADS not in p.parts} == set()
    assert not Path("/tmp/aligna-evil.txt").exists()
    # A refused upload leaves no staging folder behind.
    leftovers = [p for p in staging(demo).iterdir() if p.is_dir()]
    assert not any((p / "files" / "aligna.toml").exists() for p in leftovers)


def test_a_symbolic_link_is_refused(demo: WebDemo, admin: TestClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("kpis.yaml")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    page = upload(admin, buffer.getvalue())
    assert page.status_code == 400 and "symbolic link" in page.text


def test_a_zip_bomb_is_refused(demo: WebDemo, admin: TestClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("kpis.yaml", b"\0" * (20 * 1024 * 1024))
    page = upload(admin, buffer.getvalue())
    assert page.status_code == 400 and "zip bomb" in page.text


def test_too_many_entries_are_refused(demo: WebDemo, admin: TestClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(MAX_ENTRIES + 1):
            archive.writestr(f"kpis/{i}.yaml", "")
    page = upload(admin, buffer.getvalue())
    assert page.status_code == 400 and "more than the 20,000 accepted" in page.text


def test_something_that_is_not_a_zip_is_refused(demo: WebDemo, admin: TestClient) -> None:
    page = upload(admin, b"mission: not a zip\n", "foundation.yaml")
    assert page.status_code == 400
    assert 'role="alert"' in page.text and "not a zip archive" in page.text
    empty = admin.post(
        "/admin/project",
        data={"csrf_token": csrf_of(admin, "/admin/project")},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert empty.status_code in (400, 422)


def test_a_stale_plan_is_refused(demo: WebDemo, admin: TestClient) -> None:
    edit, renamed = rename_first_kpi("Stale rename")
    html = upload(admin, project_zip(demo.folder, edit)).text
    engine = open_database(demo.settings.resolved_database_url())
    try:
        with session_scope(engine) as session:
            # Someone else changes the database after the plan was shown.
            session.execute(
                update(m.Kpi).where(m.Kpi.slug == renamed[0]).values(name="Edited meanwhile")
            )
        response = apply(admin, html, "should not go through")
        assert response.status_code == 409
        assert 'role="alert"' in response.text and "database changed" in response.text
        with session_scope(engine) as session:
            name = session.execute(select(m.Kpi.name).where(m.Kpi.slug == renamed[0])).scalar_one()
            messages = session.execute(select(m.ChangeSet.message)).scalars().all()
        assert name == "Edited meanwhile"
        assert "should not go through" not in messages
        # The page shows the new plan, whose fingerprint applies.
        again = apply(admin, response.text, "after review")
        assert again.status_code == 303
    finally:
        engine.dispose()


def test_old_uploads_are_cleaned_up_when_a_new_one_arrives(
    demo: WebDemo, admin: TestClient
) -> None:
    folder = staging(demo)
    folder.mkdir(exist_ok=True)
    old = folder / ("a" * 32)
    (old / "files").mkdir(parents=True, exist_ok=True)
    (old / "upload.json").write_text("{}")
    two_days = time.time() - 2 * 86400
    os.utime(old, (two_days, two_days))
    fresh = folder / ("b" * 32)
    fresh.mkdir(exist_ok=True)
    upload(admin, b"not a zip")
    assert not old.exists() and fresh.exists()
    assert clean_old_uploads(folder) == []
    assert (folder / ".gitignore").read_text() == "*\n"


def test_unknown_or_malformed_upload_ids_are_404(admin: TestClient) -> None:
    assert admin.get("/admin/project/" + "c" * 32).status_code == 404
    assert admin.get("/admin/project/..%2f..%2fetc").status_code == 404


ADMIN_ROUTES = [
    ("get", "/admin"),
    ("get", "/admin/project"),
    ("post", "/admin/project"),
    ("get", "/admin/project/" + "d" * 32),
    ("post", "/admin/project/" + "d" * 32 + "/apply"),
    ("post", "/admin/project/" + "d" * 32 + "/discard"),
    ("get", "/admin/accounts"),
    ("post", "/admin/accounts"),
    ("get", "/admin/accounts/1"),
    ("post", "/admin/accounts/1/roles"),
    ("post", "/admin/accounts/1/disable"),
    ("post", "/admin/accounts/1/reset"),
]


@pytest.mark.parametrize("role", ["member", "manager"])
def test_members_and_managers_get_403_on_every_admin_route(
    clients: dict[str, TestClient], role: str
) -> None:
    client = clients[role]
    token = csrf_of(client)
    for method, path in ADMIN_ROUTES:
        if method == "get":
            response = client.get(path)
        else:
            response = client.post(
                path,
                data={"csrf_token": token, "role": "admin", "action": "grant", "message": "x"},
                files={"file": ("p.zip", b"PK", "application/zip")}
                if path == "/admin/project"
                else None,
            )
        assert response.status_code == 403, (method, path, response.status_code)


def test_admin_posts_without_csrf_are_403(demo: WebDemo, admin: TestClient) -> None:
    page = admin.post(
        "/admin/project", files={"file": ("p.zip", project_zip(demo.folder), "application/zip")}
    )
    assert page.status_code == 403
    assert (
        admin.post("/admin/project/" + "e" * 32 + "/apply", data={"message": "x"}).status_code
        == 403
    )
    assert admin.post("/admin/accounts", data={"email": "x@example.com"}).status_code == 403
    assert admin.post("/admin/accounts/1/disable", data={"csrf_token": "wrong"}).status_code == 403


def test_the_plan_page_says_removed_for_what_has_no_history_and_archived_for_the_rest() -> None:
    from aligna.files.plan import Action, Change
    from aligna.web.pages.admin_project import describe_change

    def removed(kind: str) -> str:
        return describe_change(Change(kind, "k", Action.remove, {"x": 1}, None))

    assert removed("escalation_rule") == "removed"  # as `aligna plan` says
    assert removed("apprise_destination") == "removed"
    assert removed("kpi") == "archived (its history is kept)"
