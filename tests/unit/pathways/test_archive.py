"""Zipped pathway folders are read with the folder's limits, whatever the archive claims."""

from __future__ import annotations

import io
import zipfile

import pytest

from engine.pathways.archive import ArchiveRefused, files_from_zip, zip_of
from engine.pathways.folder import MAX_FILES


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zipped_folder_loses_its_wrapping_folder_and_its_hidden_files():
    files = files_from_zip(_zip({"mine/pathway.yaml": b"id: x", "mine/i18n/en.yaml": b"{}",
                                 "mine/.DS_Store": b"x", "__MACOSX/mine/._pathway.yaml": b"x"}))
    assert files == {"pathway.yaml": b"id: x", "i18n/en.yaml": b"{}"}


def test_a_folder_zipped_from_inside_keeps_its_paths():
    assert set(files_from_zip(_zip({"pathway.yaml": b"a", "scenarios/01.yaml": b"b"}))) == {"pathway.yaml", "scenarios/01.yaml"}


def test_what_zip_of_writes_reads_back_the_same():
    files = {"pathway.yaml": b"id: x", "pathway.bpmn": b"<x/>", "i18n/en.yaml": b"{}"}
    assert files_from_zip(zip_of(files, "x")) == files


@pytest.mark.parametrize("entries, code", [
    ({f"p/f{i}.yaml": b"" for i in range(MAX_FILES + 1)}, "zip.too_many_files"),
    ({"p/../../etc/passwd": b"x"}, "zip.bad_name"),
    ({"/etc/passwd": b"x"}, "zip.bad_name"),
    ({"C:/Windows/x": b"x"}, "zip.bad_name"),
    ({"p/pathway.bpmn": b"\0" * (6 * 1024 * 1024)}, "zip.file_too_large"),
    ({f"p/f{i}.bpmn": b"\0" * (4 * 1024 * 1024 + 1) for i in range(10)}, "zip.too_large"),
    ({}, "zip.empty"),
])
def test_hostile_or_oversized_archives_are_refused_with_a_code(entries, code):
    with pytest.raises(ArchiveRefused) as refused:
        files_from_zip(_zip(entries))
    assert refused.value.code == code


def test_bytes_that_are_not_a_zip_are_refused():
    with pytest.raises(ArchiveRefused) as refused:
        files_from_zip(b"not a zip at all")
    assert refused.value.code == "zip.unreadable"
