"""The guide's worked example (small-referral, next to this file), and copies of it edited for one test."""

from __future__ import annotations

import shutil
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent / "small-referral"


def edited_example(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the example in `tmp_path` (made once) with `old` replaced by `new` in `file`; the copy's folder."""
    folder = tmp_path / EXAMPLE.name
    if not folder.exists():
        shutil.copytree(EXAMPLE, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder
