"""The YAML files next to the diagram (labels, scenarios) must be readable, plain and small."""

from __future__ import annotations

from engine.pathways.folder import PathwaySource
from engine.pathways.problems import Problem
from engine.pathways.untrusted_yaml import YamlProblem, load_untrusted_yaml

YAML_FOLDERS = ("i18n/", "scenarios/")


def check_yaml_files(source: PathwaySource) -> list[Problem]:
    """Every i18n/ and scenarios/ YAML file must parse as a mapping."""
    problems = []
    for name, data in sorted(source.files.items()):
        if not name.startswith(YAML_FOLDERS) or not name.endswith((".yaml", ".yml")):
            continue
        loaded = load_untrusted_yaml(data)
        if isinstance(loaded, YamlProblem):
            problems.append(Problem(name, loaded.line, None, None, loaded.message, "yaml.invalid"))
        elif not isinstance(loaded, dict):
            problems.append(Problem(name, 1, None, None, "the file must be a mapping of keys (key: value), not a list or a single value", "yaml.invalid"))
    return problems
