"""Fixtures for the pathway tests: the valid and broken pathway folders (imported by the tests)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"
MINI = VALID / "referral-mini"


@pytest.fixture
def mini_folder() -> Path:
    """A small valid pathway folder (French diagram, English labels)."""
    return MINI


@pytest.fixture
def copied_mini(tmp_path: Path) -> Path:
    """A writable copy of the small valid pathway, for tests that break it."""
    target = tmp_path / "referral-mini"
    shutil.copytree(MINI, target)
    return target


def folder_editor(tmp_path: Path, fixture: Path) -> Callable[..., list]:
    """An `edit(old, new, file)` on a writable copy of a pathway folder: the text replaced (it must be there), then
    every problem and warning of the edited folder (`review`)."""
    from engine.pathways.folder import load_source
    from engine.pathways.validation import review

    folder = tmp_path / fixture.name
    shutil.copytree(fixture, folder)

    def edit(old: str, new: str, file: str = "pathway.bpmn") -> list:
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
        return review(load_source(folder))
    return edit
