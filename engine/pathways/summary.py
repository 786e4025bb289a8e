"""A one-line description of a pathway for listings and command output."""

from __future__ import annotations

from engine.pathways.documents import ACTIVITIES, BPMN_NS
from engine.pathways.folder import BPMN_SUFFIXES, PathwaySource
from engine.pathways.xml import parse_untrusted

CONTAINER_ACTIVITIES = {"subProcess", "transaction", "adHocSubProcess"}


def task_count(source: PathwaySource) -> int:
    """How many tasks (activities other than sub-processes) the pathway's diagrams hold."""
    count = 0
    for name, data in source.files.items():
        if not name.lower().endswith(BPMN_SUFFIXES):
            continue
        root = parse_untrusted(data)
        if hasattr(root, "iter"):
            count += sum(1 for e in root.iter(f"{{{BPMN_NS}}}*") if e.tag.rsplit("}", 1)[-1] in ACTIVITIES - CONTAINER_ACTIVITIES)
    return count


def describe(source: PathwaySource) -> str:
    """E.g. '23 tasks, languages fr, en'."""
    tasks = task_count(source)
    languages = ", ".join(source.languages) if source.languages else "the diagram's own"
    return f"{tasks} task{'s' if tasks != 1 else ''}, languages {languages}"
