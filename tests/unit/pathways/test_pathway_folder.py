"""Loading pathway folders and lone BPMN files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.errors import PathwayError
from pathway_fixtures import copied_mini, mini_folder  # noqa: F401 - pytest fixtures
from engine.pathways.folder import MAX_FILE_BYTES, load_source
from engine.pathways.validation import review


def test_folder_is_loaded_with_metadata_languages_and_every_file(mini_folder: Path):
    source = load_source(mini_folder)
    assert source.id == "referral-mini"
    assert source.languages == ["fr", "en"]
    assert source.title["en"] == "Minimal referral"
    assert source.main == "pathway.bpmn"
    assert set(source.files) == {"pathway.yaml", "pathway.bpmn", "i18n/en.yaml"}
    assert source.problems == []


def test_content_hash_is_stable_and_changes_with_content(copied_mini: Path):
    first = load_source(copied_mini).content_hash
    assert load_source(copied_mini).content_hash == first
    (copied_mini / "i18n" / "en.yaml").write_text("title: Changed\n", encoding="utf-8")
    assert load_source(copied_mini).content_hash != first


def test_lone_bpmn_file_is_a_pathway_of_its_own(mini_folder: Path):
    source = load_source(mini_folder / "pathway.bpmn")
    assert source.id == "pathway"
    assert source.main == "pathway.bpmn"
    assert list(source.files) == ["pathway.bpmn"]
    assert source.languages == []
    assert source.is_lone_file


@pytest.mark.parametrize("name", ["missing", "notes.txt"])
def test_unusable_path_raises_one_clear_line(tmp_path: Path, name: str):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(PathwayError) as raised:
        load_source(tmp_path / name)
    assert name in str(raised.value)
    assert "\n" not in str(raised.value)


def test_oversized_file_is_refused_without_being_read(tmp_path: Path):
    huge = tmp_path / "huge.bpmn"
    with open(huge, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    source = load_source(huge)
    assert source.files == {}
    assert [p.rule for p in source.problems] == ["file.too_large"]
    assert f"{MAX_FILE_BYTES:,}" in source.problems[0].message


def test_bad_pathway_yaml_is_a_loading_problem_not_an_exception(copied_mini: Path):
    (copied_mini / "pathway.yaml").write_text("id: Bad Id\ntitle: [\n", encoding="utf-8")
    source = load_source(copied_mini)
    assert [p.rule for p in source.problems] == ["yaml.invalid"]
    assert source.problems[0].file == "pathway.yaml"
    assert source.problems[0].line == 3


def test_hidden_files_and_symlinks_are_not_part_of_the_pathway(copied_mini: Path):
    (copied_mini / ".git").mkdir()
    (copied_mini / ".git" / "config").write_text("x", encoding="utf-8")
    (copied_mini / "link.bpmn").symlink_to(copied_mini / "pathway.bpmn")
    source = load_source(copied_mini)
    assert ".git/config" not in source.files
    assert "link.bpmn" not in source.files
    assert [p.rule for p in source.problems] == ["file.symlink"]


def test_languages_written_as_one_word_is_that_language_with_a_warning(copied_mini):
    metadata = copied_mini / "pathway.yaml"
    text = metadata.read_text(encoding="utf-8")
    metadata.write_text(re.sub(r"languages:.*", "languages: fr", text), encoding="utf-8")
    source = load_source(copied_mini)
    assert source.languages == ["fr"]
    problems = [p for p in review(source) if p.rule != "timer.alerts_no_one"]  # the fixture's own warning
    assert [(p.rule, p.severity) for p in problems] == [("metadata.bad_languages", "warning")]
    assert "read as [fr]" in problems[0].message and "r.yaml" not in " ".join(p.message for p in problems)
