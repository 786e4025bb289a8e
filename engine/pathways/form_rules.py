"""Rules a pathway declares on a form field, as Camunda properties (`aiguillage.*`):

- `aiguillage.required_when`: a condition in the safe expression language over the fields of the
  same form; while it holds, the field must have a value (in the Cameroon pathway, its decline
  reason when `decision == 'declined'`, an urgency when `need_health`);
- `aiguillage.default_from`: the name of a value an earlier step recorded (a field of another
  form); a field left empty takes that value when it is one the field accepts (a need's urgency
  from the case's `priority`, a need ticked from the vulnerability seen at identification), and
  the page shows it already filled in;
- `aiguillage.hidden_when`: a condition in the safe expression language over the form's values and
  the case's data (a Camunda Form's `conditional.hide`, translated from FEEL); while it holds, the
  field is not shown and what is submitted for it is not kept: it takes its default, as an empty
  field does, and is never required. A page first shown reads the values the form starts with,
  what it fills in for the person (`${today()}`, `=today()`...) included; after a submission, what
  was submitted;
- `aiguillage.history`: `keep` makes the case history keep the field's value (a decision that
  steers the case); every other field is kept as a name only;
- `aiguillage.section`: the field opens a section of its form, headed by the property's text (in the
  diagram's language; other languages under `sections:` of `i18n/<lang>.yaml`, keyed by the field id).
  The fields that follow belong to it until the next field that opens one.

A field with a `required_when` condition is required only while the condition holds. The pages always
show it, with the condition in words, because the answers it reads can still change on the same page
(`engine.pathways.form_check.fields_that_apply`); a small script hides it while the answer on the page
says it is not needed.

`engine.pathways.form_check` applies them; `engine.pathways.rules.form_rules` refuses, when the
pathway is validated, a rule naming a field that does not exist.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from engine.errors import AiguillageError
from engine.pathways.forms import FieldSpec

REQUIRED_WHEN = "aiguillage.required_when"
DEFAULT_FROM = "aiguillage.default_from"
HIDDEN_WHEN = "aiguillage.hidden_when"
HISTORY = "aiguillage.history"
HISTORY_VALUES = ("keep",)
SECTION = "aiguillage.section"
SECTION_MAX = 100
FIELD_RULES = (REQUIRED_WHEN, DEFAULT_FROM, HIDDEN_WHEN, HISTORY, SECTION)


def rule_of(field: FieldSpec, name: str) -> str:
    """The text of one rule on the field ("" when it has none)."""
    return str(field.properties.get(name) or "").strip()


def section_heading(field: FieldSpec) -> str | None:
    """The heading of the section this field opens, in the diagram's language (None: it opens none)."""
    return rule_of(field, SECTION)[:SECTION_MAX] or None


def simple_condition(condition: str) -> tuple[str, Any] | None:
    """(field, value) for a condition that tests one field (`need_health`: True, `decision == 'declined'`),
    so that a page can say in words when a field is needed; None for any other condition."""
    from engine.expressions.evaluation import python_form

    try:
        tree = ast.parse(python_form(condition.strip()), mode="eval").body
    except (SyntaxError, ValueError):
        return None
    if isinstance(tree, ast.Name):
        return tree.id, True
    if (isinstance(tree, ast.Compare) and isinstance(tree.left, ast.Name) and len(tree.ops) == 1
            and isinstance(tree.ops[0], ast.Eq) and isinstance(tree.comparators[0], ast.Constant)):
        return tree.left.id, tree.comparators[0].value
    return None


def keeps_value(field: FieldSpec) -> bool:
    """True when the history keeps this field's value (and the field is not sensitive)."""
    return rule_of(field, HISTORY) == "keep" and not field.sensitive


@lru_cache(maxsize=1024)
def names_in(condition: str) -> frozenset[str]:
    """The variables a condition reads (functions and constants left out); ExpressionError if it does not parse."""
    from engine.expressions import SAFE_FUNCTIONS
    from engine.expressions.checker import CONSTANT_NAMES, parse_expression
    from engine.expressions.evaluation import python_form

    tree = parse_expression(python_form(condition))
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return frozenset(names - called - set(SAFE_FUNCTIONS) - set(CONSTANT_NAMES) - {"True", "False", "None"})


def required_now(field: FieldSpec, values: Mapping[str, Any]) -> bool:
    """True when the field's `required_when` condition holds over `values` (the form's values).

    A condition that cannot be evaluated (one of its fields was itself refused) requires nothing:
    that field's own problem is what the person must correct first.
    """
    return _holds(rule_of(field, REQUIRED_WHEN), values)


def hidden_now(field: FieldSpec, values: Mapping[str, Any]) -> bool:
    """True when the field's `hidden_when` condition holds over `values` (the case's data and the form's values).

    A condition that cannot be evaluated hides nothing: a field shown too often is safer than one
    a person never sees.
    """
    return _holds(rule_of(field, HIDDEN_WHEN), values)


def _holds(condition: str, values: Mapping[str, Any]) -> bool:
    if not condition:
        return False
    from engine.expressions import evaluate

    if any(name not in values for name in names_in(condition)):
        return False
    try:
        return bool(evaluate(condition, values))
    except AiguillageError:
        return False


def carried_value(field: FieldSpec, context: Mapping[str, Any] | None) -> Any:
    """The value named by the field's `default_from` in `context` (the case's data), or None."""
    source = rule_of(field, DEFAULT_FROM)
    if not source or not context:
        return None
    value = context.get(source)
    return None if value is None or value == "" else value
