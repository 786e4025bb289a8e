"""What the diagrams say inside their elements: expressions, forms and labels."""

from __future__ import annotations

from engine.pathways.documents import Document
from engine.pathways.folder import PathwaySource
from engine.pathways.problems import Problem
from engine.pathways.rules.expressions import check_expressions


def check_content(source: PathwaySource, documents: list[Document], checked: set[str]) -> list[Problem]:
    """Expressions, form fields and labels of every checked process."""
    return check_expressions(documents, checked)
