"""Uploaded project folders: a zip extracted safely into a staging folder, and its plan's digest.

An upload lives in `<project>/.aligna-uploads/<random id>/`: `upload.json` says who sent it
and which plan they were shown; `files/` holds what the zip contained. The project's own files
are never touched. Nothing here knows about HTTP; the admin pages call it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
import zipfile
import zlib
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from aligna.files.plan import Plan
from aligna.settings import SETTINGS_FILE, Settings

UPLOADS = ".aligna-uploads"
MAX_ENTRIES = 20_000
MAX_TOTAL_BYTES = 500 * 1024 * 1024  # uncompressed, all files together
MAX_UPLOAD_BYTES = MAX_TOTAL_BYTES  # the zip itself: it is never larger than what it holds
# Text compresses 5-20x with deflate; a zip bomb 1,000x. Checked on entries big enough to matter.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_AGE_SECONDS = 24 * 3600
CHUNK = 1024 * 1024
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
# What archivers add beside the files: never part of a project, and not a reason to refuse.
IGNORED_TOP = {"__MACOSX"}
IGNORED_NAMES = {".DS_Store", "Thumbs.db"}
META = "upload.json"
Entry = tuple[zipfile.ZipInfo, tuple[str, ...]]  # an entry and its path parts


class UploadRefused(Exception):
    """A zip that is not accepted; the message says why, for the person who sent it."""


@dataclass
class UploadMeta:
    """What is kept beside an upload's files."""

    filename: str
    uploaded_by: str
    uploaded_at: str
    root: str  # the project folder inside files/, "" or the one top folder
    fingerprint: str = ""  # of the last plan shown


@dataclass
class Upload:
    """One staged upload: its id, its folder and what is known about it."""

    id: str
    path: Path
    meta: UploadMeta

    @property
    def root(self) -> Path:
        """The project folder the zip contained."""
        return self.path / "files" / self.meta.root

    def save(self) -> None:
        """Write the metadata; replaced whole, so a reader never sees half of it."""
        target = self.path / META
        spare = target.with_suffix(".tmp")
        spare.write_text(json.dumps(asdict(self.meta), indent=2), encoding="utf-8")
        os.replace(spare, target)

    def discard(self) -> None:
        """Delete the upload's staging folder."""
        shutil.rmtree(self.path, ignore_errors=True)


def uploads_folder(settings: Settings) -> Path:
    """Where uploads are staged: inside the project folder, else in the system's temp folder."""
    base = settings.project if settings.project is not None else Path(tempfile.gettempdir())
    folder = base / UPLOADS
    folder.mkdir(mode=0o700, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        # The project folder usually lives in git: staged uploads must never be committed.
        ignore.write_text("*\n", encoding="utf-8")
    return folder


def clean_old_uploads(folder: Path, max_age: float = MAX_AGE_SECONDS) -> list[str]:
    """Delete uploads older than max_age seconds (by the folder's time). The ids deleted."""
    limit = time.time() - max_age
    removed = []
    for child in folder.iterdir():
        ours = child.is_dir() and not child.is_symlink() and UPLOAD_ID.match(child.name)
        if ours and child.stat().st_mtime < limit:
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child.name)
    return removed


def open_upload(folder: Path, upload_id: str) -> Upload | None:
    """A staged upload by id, or None (unknown, cleaned up, or not an id at all)."""
    if not UPLOAD_ID.match(upload_id):
        return None  # never join an arbitrary string from a URL onto a path
    path = folder / upload_id
    try:
        data = json.loads((path / META).read_text(encoding="utf-8"))
        return Upload(upload_id, path, UploadMeta(**data))
    except (OSError, ValueError, TypeError):
        return None


def stage_zip(
    source: BinaryIO, folder: Path, *, filename: str, uploaded_by: str, uploaded_at: datetime
) -> Upload:
    """Check a zip and extract it into a new staging folder, or raise UploadRefused."""
    upload_id = secrets.token_hex(16)
    path = folder / upload_id
    path.mkdir(mode=0o700)
    try:
        root = _extract(source, path / "files")
    except UploadRefused:
        shutil.rmtree(path, ignore_errors=True)
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        NotImplementedError,
        zlib.error,
    ) as exc:
        shutil.rmtree(path, ignore_errors=True)
        raise UploadRefused(f"the zip could not be read: {exc}") from None
    except (OSError, RuntimeError, ValueError) as exc:
        shutil.rmtree(path, ignore_errors=True)
        raise UploadRefused(f"the zip could not be extracted: {exc}") from None
    upload = Upload(
        upload_id,
        path,
        UploadMeta(
            filename=filename[:200],
            uploaded_by=uploaded_by,
            uploaded_at=uploaded_at.isoformat(),
            root=root,
        ),
    )
    upload.save()
    return upload


def _extract(source: BinaryIO, target: Path) -> str:
    """Check every entry first, then extract; the project root inside target as a relative path."""
    source.seek(0)
    if not zipfile.is_zipfile(source):
        raise UploadRefused("this file is not a zip archive: upload the project folder as a .zip")
    source.seek(0)
    with zipfile.ZipFile(source) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise UploadRefused(
                f"the zip holds {len(entries):,} entries, more than the {MAX_ENTRIES:,} accepted"
            )
        wanted = _checked_entries(entries)
        target.mkdir(mode=0o700)
        base = target.resolve()
        written = 0
        for info, parts in wanted:
            destination = base.joinpath(*parts)
            # Belt and braces: the names were checked, and the resolved path must agree.
            if not destination.resolve().is_relative_to(base):
                raise UploadRefused(f"'{info.filename}' would be written outside the upload")
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            # "x": never overwrite, and never follow a link that might already be there.
            with archive.open(info) as stream, destination.open("xb") as out:
                while chunk := stream.read(CHUNK):
                    written += len(chunk)
                    # The sizes in the headers were checked, but headers can lie: count bytes.
                    if written > MAX_TOTAL_BYTES:
                        raise UploadRefused(_too_big())
                    out.write(chunk)
    return _project_root(target, [parts for info, parts in wanted if not info.is_dir()])


def _checked_entries(entries: list[zipfile.ZipInfo]) -> list[Entry]:
    """Every entry to extract with its path parts; UploadRefused at the first unsafe one."""
    wanted: list[Entry] = []
    seen: set[str] = set()
    total = 0
    compressed = 0
    for info in entries:
        name = info.filename
        parts = _safe_parts(name)
        if parts[0] in IGNORED_TOP or parts[-1] in IGNORED_NAMES:
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UploadRefused(f"'{name}' is a symbolic link; the zip may hold only files")
        if mode and stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise UploadRefused(f"'{name}' is not a regular file or folder")
        if info.flag_bits & 0x1:
            raise UploadRefused(f"'{name}' is encrypted; upload a zip without a password")
        # Case-insensitive file systems would write two names that differ in case to one file.
        key = "/".join(parts).casefold()
        if key in seen:
            raise UploadRefused(f"'{name}' appears twice in the zip")
        seen.add(key)
        if not info.is_dir():
            total += info.file_size
            compressed += info.compress_size
            if total > MAX_TOTAL_BYTES:
                raise UploadRefused(_too_big())
            if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
                1, info.compress_size
            ):
                raise UploadRefused(
                    f"'{name}' expands more than {MAX_RATIO} times: this looks like a zip bomb"
                )
        wanted.append((info, parts))
    if total > RATIO_FLOOR_BYTES and total > MAX_RATIO * max(1, compressed):
        raise UploadRefused(
            f"the zip expands more than {MAX_RATIO} times: this looks like a zip bomb"
        )
    return wanted


def _safe_parts(name: str) -> tuple[str, ...]:
    """The parts of an entry's path, refusing every name that could leave the staging folder."""
    if not name or "\x00" in name:
        raise UploadRefused("the zip has an entry without a usable name")
    if "\\" in name:
        # Windows would read a backslash as a folder separator: `..\\x` is a way out there.
        raise UploadRefused(f"'{name}' contains a backslash; zip paths use '/'")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UploadRefused(f"'{name}' is an absolute path; the zip may hold only relative paths")
    parts = tuple(part for part in PurePosixPath(name).parts if part not in ("", "."))
    if ".." in parts:
        raise UploadRefused(f"'{name}' climbs out of the folder with '..'")
    if not parts:
        raise UploadRefused(f"'{name}' is not a usable path")
    return parts


def _project_root(target: Path, files: list[tuple[str, ...]]) -> str:
    """The folder holding the project: the zip's top, or its one top folder when all is inside."""
    if (target / SETTINGS_FILE).is_file():
        return ""
    tops = {parts[0] for parts in files}
    if len(tops) == 1 and all(len(parts) > 1 for parts in files):
        return next(iter(tops))
    return ""


def _too_big() -> str:
    return f"the zip expands to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB"


def plan_fingerprint(plan: Plan) -> str:
    """A digest of every change of a plan, before and after: equal digests, same plan."""
    digest = hashlib.sha256()
    for change in plan.all():
        row = [change.kind, change.key, change.action.value, change.before, change.after]
        digest.update(json.dumps(row, sort_keys=True, default=str).encode())
        digest.update(b"\n")
    return digest.hexdigest()
