"""What a library of diagrams would do here: valid, refused for a feature not run here, or refused for a defect.

An organisation bringing its Camunda 7 diagrams wants to see at once what will run. Each refusal is
either a feature this engine deliberately does not run (Java code, other script languages, CMMN,
compensation, a process or decision kept outside the pathway) or a defect the author can fix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.pathways.problems import Problem

# Rules that refuse a feature, not a mistake, with the feature's name in the summary.
UNSUPPORTED_FEATURES = {
    "unsupported.script_language": "scripts in another language (Groovy, JavaScript...)",
    "unsupported.java": "Java delegates and expressions",
    "unsupported.cmmn": "CMMN cases",
    "unsupported.compensation": "compensation",
    "unsupported.form": "embedded or app forms",
    "unsupported.form_component": "Camunda Form components not translated yet",
    "unsupported.resource": "scripts or conditions in external resource files",
    "unsupported.element": "BPMN elements the engine does not run",
    "unsupported.camunda8": "Camunda 8 (Zeebe) settings and FEEL expressions",
    "unsupported.foreign": "task settings of other engines (jBPM/Kogito, SpiffWorkflow)",
    "call.missing": "a called process outside the pathway",
    "dmn.missing": "a decision outside the pathway",
    "form.missing": "a Camunda Form outside the pathway",
}

VALID, UNSUPPORTED, DEFECT = "valid", "unsupported", "defect"


@dataclass(frozen=True)
class Verdict:
    """The outcome for one pathway: its kind, and the features or rules behind a refusal."""

    kind: str
    features: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    warnings: int = 0


def verdict(problems: Iterable[Problem]) -> Verdict:
    """Valid when nothing blocks; unsupported when only unsupported features block; a defect otherwise."""
    problems = list(problems)
    errors = [p for p in problems if p.severity == "error"]
    warnings = len(problems) - len(errors)
    if not errors:
        return Verdict(VALID, warnings=warnings)
    features = tuple(sorted({UNSUPPORTED_FEATURES[p.rule] for p in errors if p.rule in UNSUPPORTED_FEATURES}))
    rules = tuple(sorted({p.rule for p in errors if p.rule not in UNSUPPORTED_FEATURES}))
    return Verdict(DEFECT if rules else UNSUPPORTED, features, rules, warnings)


@dataclass
class Census:
    """Counts over many pathways: verdicts, the features refused, the defect rules met."""

    verdicts: Counter = field(default_factory=Counter)
    features: Counter = field(default_factory=Counter)
    defect_rules: Counter = field(default_factory=Counter)
    with_warnings: int = 0

    def add(self, outcome: Verdict) -> None:
        """Count one pathway's verdict."""
        self.verdicts[outcome.kind] += 1
        # Printed as a part of the valid ones: a refused pathway's warnings are not counted here.
        self.with_warnings += bool(outcome.warnings) and outcome.kind == VALID
        if outcome.kind == UNSUPPORTED:
            self.features.update(outcome.features)
        if outcome.kind == DEFECT:
            self.defect_rules.update(outcome.rules)

    @property
    def total(self) -> int:
        """How many pathways were counted."""
        return sum(self.verdicts.values())

    def lines(self) -> list[str]:
        """The summary as lines of text, biggest counts first."""
        lines = [
            f"{self.total} pathway{'s' if self.total != 1 else ''}: {self.verdicts[VALID]} valid "
            f"({self.with_warnings} with warnings), {self.verdicts[UNSUPPORTED]} refused only for features not run here, "
            f"{self.verdicts[DEFECT]} refused for defects",
        ]
        for feature, count in self.features.most_common():
            lines.append(f"  not run here: {feature}: {count}")
        for rule, count in self.defect_rules.most_common():
            lines.append(f"  defect: {rule}: {count}")
        return lines
