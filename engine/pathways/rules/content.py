"""What the diagrams say inside their elements: expressions, forms and labels."""

from __future__ import annotations

from collections.abc import Collection

from engine.pathways.documents import Document
from engine.pathways.folder import PathwaySource
from engine.pathways.problems import Problem
from engine.pathways.rules.decisions import check_decisions
from engine.pathways.rules.expressions import check_expressions
from engine.pathways.rules.form_fields import check_forms
from engine.pathways.rules.form_rules import check_form_rules
from engine.pathways.rules.messages import check_messages
from engine.pathways.rules.services import check_services
from engine.pathways.rules.sharing import check_case_fields, check_case_summary, check_need_fields, check_sharing
from engine.pathways.rules.translations import check_labels
from engine.pathways.rules.unsupported import check_unsupported
from engine.pathways.rules.variables import check_unknown_variables


def check_content(source: PathwaySource, documents: list[Document], checked: set[str], operations: Collection[str] | None = None) -> list[Problem]:
    """Expressions, service tasks, form fields and labels of every checked process, what providers receive,
    and the variables conditions read that nothing sets."""
    return (
        check_unsupported(documents, checked)
        + check_expressions(documents, checked)
        + check_decisions(documents)
        + check_messages(documents, checked)
        + check_services(documents, checked, operations)
        + check_forms(documents, checked)
        + check_form_rules(documents, checked)
        + check_unknown_variables(documents, checked)
        + check_labels(source, documents, checked)
        + check_sharing(source, documents)
        + check_case_summary(source, documents)
        + check_case_fields(source, documents)
        + check_need_fields(source)
    )
