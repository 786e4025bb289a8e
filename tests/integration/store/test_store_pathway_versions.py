"""Publishing pathway versions: immutable, content-addressed, exported back byte for byte."""

from __future__ import annotations

import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from engine.errors import Conflict, NotFound, PathwayError, PathwayInvalid
from engine.pathways.folder import load_source
from engine.services.pathways.publishing import export_version, get_version, list_pathways, publish_pathway

VALID = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "referral-mini"


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of a valid pathway folder that the test may change."""
    copy = tmp_path / "referral-mini"
    shutil.copytree(VALID, copy)
    return copy


def test_a_valid_folder_becomes_version_one(container, folder):
    result = publish_pathway(container.uow(), load_source(folder), container.clock)
    assert (result.pathway_id, result.version, result.created) == ("referral-mini", 1, True)
    assert result.content_hash == load_source(folder).content_hash


def test_publishing_the_same_content_again_changes_nothing(container, folder):
    first = publish_pathway(container.uow(), load_source(folder), container.clock)
    again = publish_pathway(container.uow(), load_source(folder), container.clock)
    assert (again.version, again.created, again.content_hash) == (1, False, first.content_hash)
    assert len(list_pathways(container.uow())) == 1


def test_changed_content_becomes_the_next_version(container, folder, clock):
    publish_pathway(container.uow(), load_source(folder), clock)
    clock.advance(timedelta(days=1))
    (folder / "i18n" / "en.yaml").write_bytes((folder / "i18n" / "en.yaml").read_bytes() + b"\n# reviewed\n")
    result = publish_pathway(container.uow(), load_source(folder), clock)
    assert (result.version, result.created) == (2, True)
    listed = list_pathways(container.uow())
    assert [(v.pathway_id, v.version) for v in listed] == [("referral-mini", 1), ("referral-mini", 2)]
    assert listed[1].published_at == clock.now()
    assert listed[1].file_count == 3
    assert get_version(container.uow(), "referral-mini").version == 2


def test_an_invalid_folder_is_refused_with_its_problems_and_nothing_is_stored(container, folder):
    (folder / "pathway.bpmn").write_bytes(b"<definitions>not closed")
    with pytest.raises(PathwayInvalid) as refused:
        publish_pathway(container.uow(), load_source(folder), container.clock)
    assert refused.value.problems
    assert all(problem.file for problem in refused.value.problems)
    assert list_pathways(container.uow()) == []


def test_an_exported_version_equals_the_published_files_byte_for_byte(container, folder, tmp_path):
    publish_pathway(container.uow(), load_source(folder), container.clock)
    (folder / "pathway.yaml").write_bytes((folder / "pathway.yaml").read_bytes() + b"# v2\n")
    publish_pathway(container.uow(), load_source(folder), container.clock)
    export_version(container.uow(), "referral-mini", 1, tmp_path / "exported")
    exported = {p.relative_to(tmp_path / "exported").as_posix(): p.read_bytes() for p in (tmp_path / "exported").rglob("*") if p.is_file()}
    assert exported == {path: (VALID / path).read_bytes() for path in load_source(VALID).files}


def test_export_refuses_a_folder_that_is_not_empty(container, folder, tmp_path):
    publish_pathway(container.uow(), load_source(folder), container.clock)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(PathwayError, match="empty folder"):
        export_version(container.uow(), "referral-mini", None, tmp_path / "busy")
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_an_unknown_version_is_not_found(container, folder):
    publish_pathway(container.uow(), load_source(folder), container.clock)
    with pytest.raises(NotFound, match="has no version 7"):
        get_version(container.uow(), "referral-mini", 7)
    with pytest.raises(NotFound, match="has not been published"):
        get_version(container.uow(), "no-such-pathway")


def test_concurrent_publishers_never_share_a_version_number(container, tmp_path):
    folders = []
    for n in range(4):
        folder = tmp_path / f"copy-{n}"
        shutil.copytree(VALID, folder)
        (folder / "pathway.yaml").write_bytes((folder / "pathway.yaml").read_bytes() + f"# copy {n}\n".encode())
        folders.append(folder)
    sources = [load_source(folder) for folder in folders]
    start = threading.Barrier(len(sources))
    outcomes: list[object] = []

    def publish(source) -> None:
        start.wait()
        try:
            outcomes.append(publish_pathway(container.uow(), source, container.clock))
        except Conflict as conflict:  # the documented answer: publish again
            outcomes.append(conflict)

    threads = [threading.Thread(target=publish, args=(source,)) for source in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    published = [o.version for o in outcomes if not isinstance(o, Conflict)]
    assert len(outcomes) == len(sources) and published
    assert sorted(published) == list(range(1, len(published) + 1))
    assert [v.version for v in list_pathways(container.uow())] == sorted(published)
