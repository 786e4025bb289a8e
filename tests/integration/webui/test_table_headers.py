"""Every column of a table is named for a screen reader, a column of buttons included."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[3] / "webui" / "templates"


def test_no_table_header_cell_is_empty():
    empty = [f"{path.relative_to(TEMPLATES)}: {cell}"
             for path in sorted(TEMPLATES.rglob("*.html"))
             for cell in re.findall(r"<th[^>]*>\s*</th>", path.read_text(encoding="utf-8"))]
    assert len(list(TEMPLATES.rglob("*.html"))) > 20
    assert not empty, "header cells without words (axe: empty-table-header):\n" + "\n".join(empty)
