"""A pathway folder sent as a zip archive: read with the folder's limits, whatever the archive claims.

The archive comes from a browser: its entry names, declared sizes and compression ratios are all
untrusted. Entries are read with a byte cap (a zip bomb stops at the limit, not at the claimed
size), names must be plain relative paths, and what is not part of a pathway (folders, hidden
files, macOS resource forks) is skipped.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from engine.errors import PathwayError
from engine.pathways.folder import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES

# An archive with many more entries than a pathway may hold is refused before any is read.
MAX_ENTRIES = MAX_FILES * 4
SKIPPED_PREFIXES = ("__MACOSX/",)


class ArchiveRefused(PathwayError):
    """The archive cannot be a pathway folder; the message says why."""

    def __init__(self, message: str, code: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


def files_from_zip(data: bytes) -> dict[str, bytes]:
    """The files of a zipped pathway folder, by path inside the folder (one wrapping folder is removed)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise ArchiveRefused(f"the file is not a readable zip archive ({error})", "zip.unreadable") from None
    if len(entries) > MAX_ENTRIES:
        raise ArchiveRefused(f"the archive holds {len(entries)} entries; a pathway has at most {MAX_FILES} files",
                             "zip.too_many_files", limit=MAX_FILES)
    wanted = [entry for entry in entries if not entry.is_dir() and not _skipped(entry.filename)]
    if len(wanted) > MAX_FILES:
        raise ArchiveRefused(f"the archive holds {len(wanted)} files; a pathway has at most {MAX_FILES} files",
                             "zip.too_many_files", limit=MAX_FILES)
    if not wanted:
        raise ArchiveRefused("the archive holds no file", "zip.empty")
    names = [_safe_name(entry.filename) for entry in wanted]
    prefix = _common_folder(names)
    files: dict[str, bytes] = {}
    total = 0
    for entry, name in zip(wanted, names):
        if entry.flag_bits & 0x1:
            raise ArchiveRefused(f"{name}: encrypted entries are not accepted", "zip.encrypted", name=name)
        content = _read_capped(archive, entry, name, MAX_TOTAL_BYTES - total)
        total += len(content)
        relative = str(PurePosixPath(*PurePosixPath(name).parts[len(prefix):]))
        if relative in files:
            raise ArchiveRefused(f"{relative}: the archive holds this file twice", "zip.duplicate", name=relative)
        files[relative] = content
    return files


def zip_of(files: dict[str, bytes], folder: str) -> bytes:
    """A zip archive of `files` inside one folder named `folder` (what Camunda Modeler users unpack)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path])
    return buffer.getvalue()


def _read_capped(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str, room: int) -> bytes:
    limit = min(MAX_FILE_BYTES, room)
    try:
        with archive.open(entry) as handle:
            # One byte more than allowed: the declared size is not believed.
            content = handle.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as error:
        raise ArchiveRefused(f"{name}: the entry cannot be unpacked ({error})", "zip.unreadable") from None
    if len(content) > limit:
        if limit < MAX_FILE_BYTES:
            raise ArchiveRefused(f"the archive unpacks to more than {MAX_TOTAL_BYTES:,} bytes",
                                 "zip.too_large", limit=MAX_TOTAL_BYTES)
        raise ArchiveRefused(f"{name}: the file unpacks to more than {MAX_FILE_BYTES:,} bytes",
                             "zip.file_too_large", name=name, limit=MAX_FILE_BYTES)
    return content


def _skipped(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return name.startswith(SKIPPED_PREFIXES) or any(part.startswith(".") and part not in (".", "..") for part in parts)


def _safe_name(name: str) -> str:
    path = PurePosixPath(name.replace("\\", "/"))
    if (not name or name.startswith("/") or ":" in path.parts[0] or any(part in ("", ".", "..") for part in path.parts)
            or any(not part.isprintable() for part in path.parts) or len(name) > 255):
        raise ArchiveRefused(f"{name[:80]!r} is not a relative path inside the pathway folder", "zip.bad_name",
                             name=name[:80])
    return path.as_posix()


def _common_folder(names: list[str]) -> tuple[str, ...]:
    """The one folder every file sits in (a zipped folder), or nothing."""
    first = PurePosixPath(names[0]).parts
    if len(first) < 2:
        return ()
    top = first[0]
    if all(len(PurePosixPath(n).parts) >= 2 and PurePosixPath(n).parts[0] == top for n in names):
        return (top,)
    return ()
