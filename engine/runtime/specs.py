"""Turning a pathway's files into the process specs a case runs on.

    specs = load_specs({"pathway.bpmn": b"...", "triage.dmn": b"..."}, main="pathway.bpmn")
    specs.process_id, specs.spec, specs.subprocess_specs, specs.content_hash

Every .bpmn and .dmn file of the pathway is read with the untrusted-XML reader and added to one
`PathwayParser` of its own (Spiff refuses two processes with the same id in one parser, so a
pathway version never shares a parser). Other files in the mapping are ignored. The main process
is `process_id`, or the first executable process of the main file. Call activities are resolved
across the files. Any failure is a `PathwayLoadError` (a `PathwayError`) whose attributes and text
name the file, line and element when known.

Results are cached by content hash: pathway versions are immutable, and parsing is the slow part.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask

from engine.errors import PathwayError
from engine.pathways.xml import XmlProblem, parse_untrusted
from engine.pathways.camunda_forms import embed_camunda_forms
from engine.pathways.dialect import read_as_camunda
from engine.pathways.folder import BPMN_SUFFIXES, METADATA_FILE, metadata_of
from engine.pathways.groups import rules_of
from engine.pathways.rules.loops import loop_bound
from engine.runtime.loop_bounds import mark_loops
from engine.runtime.parser import PathwayParser, is_expression

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_CACHE_SIZE = 64
RESERVED_IDS = frozenset({"Start", "End"})


class PathwayLoadError(PathwayError):
    """The engine cannot load a pathway; `file`, `line`, `element_id`, `element_name` say where, when known.

    Its text reads "file (line N), element 'id' (name): message", each part only when known.
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 element_id: str | None = None, element_name: str | None = None):
        self.message = message
        self.file = file
        self.line = int(line) if line else None
        self.element_id = element_id
        self.element_name = element_name
        where = file or "pathway"
        if self.line:
            where += f" (line {self.line})"
        if element_id:
            where += f", element '{element_id}'" + (f" ({element_name})" if element_name else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class PathwaySpecs:
    """The parsed, runnable form of one pathway version."""

    process_id: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    content_hash: str
    main: str
    files: tuple[str, ...] = field(default=())

    @property
    def process_name(self) -> str:
        """The main process's name as drawn (its id if unnamed)."""
        return self.spec.description or self.process_id


def content_hash(files: Mapping[str, bytes], main: str, process_id: str | None = None) -> str:
    """A stable hash of the BPMN/DMN/.form files, pathway.yaml, the main file name and the process id."""
    digest = hashlib.sha256()
    for name in sorted(files):
        # Camunda Forms become task forms; pathway.yaml's groups decide which timers escalate.
        if _kind(name) is None and not name.lower().endswith(".form") and name != METADATA_FILE:
            continue
        data = files[name]
        digest.update(name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    digest.update(b"\0main\0" + main.encode() + b"\0process\0" + (process_id or "").encode())
    return digest.hexdigest()


_cache: OrderedDict[str, PathwaySpecs] = OrderedDict()
_cache_lock = threading.Lock()


def load_specs(files: Mapping[str, bytes], main: str, process_id: str | None = None) -> PathwaySpecs:
    """Parse a pathway's BPMN and DMN files into runnable specs (cached); PathwayError on failure."""
    key = content_hash(files, main, process_id)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    specs = _parse(files, main, process_id, key)
    with _cache_lock:
        _cache[key] = specs
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return specs


def clear_cache() -> None:
    """Forget cached specs (tests that want to measure parsing)."""
    with _cache_lock:
        _cache.clear()


def _kind(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith(BPMN_SUFFIXES):
        return "bpmn"
    if lowered.endswith(".dmn"):
        return "dmn"
    return None


def _read(name: str, data: bytes) -> etree._Element:
    root = parse_untrusted(data)
    if isinstance(root, XmlProblem):
        where = f" (line {root.line})" if root.line else ""
        raise PathwayLoadError(root.message, file=name, line=root.line)
    return root


def _parse(files: Mapping[str, bytes], main: str, process_id: str | None, key: str) -> PathwaySpecs:
    if main not in files:
        raise PathwayLoadError(f'the main file "{main}" is not part of the pathway')
    if _kind(main) != "bpmn":
        raise PathwayLoadError(f'the main file "{main}" is not a .bpmn file')
    parser = PathwayParser(rules_of(metadata_of(files)))
    roots: dict[str, etree._Element] = {}
    names = tuple(sorted(name for name in files if _kind(name)))
    try:
        for name in names:
            root = _read(name, files[name])
            roots[name] = root
            if _kind(name) == "bpmn":
                _refuse_duplicate_ids(name, root)
                read_as_camunda(root)
                _refuse_forms(name, embed_camunda_forms(root, files))
                parser.add_bpmn_xml(root, filename=name)
                _refuse_reserved_ids(name, root)
            else:
                read_as_camunda(root)  # a decision table's parts without ids get one, as Camunda reads them
                parser.add_dmn_xml(root, filename=name)
        chosen = process_id or _main_process(main, roots[main])
        spec = parser.get_spec(chosen)
        subprocess_specs = _subprocess_specs(parser, chosen)
    except PathwayLoadError:
        raise
    except ValidationException as error:
        raise locate_validation_error(error, roots) from error
    except Exception as error:  # Spiff raises bare KeyErrors, AttributeErrors... on odd files
        raise PathwayLoadError(f"the pathway cannot be loaded: {type(error).__name__}: {error}", file=main) from error
    for process_spec in (spec, *subprocess_specs.values()):
        if process_spec is not None:
            _connect_loops(process_spec)
            mark_loops(process_spec, _loop_bound_of(process_spec.name, roots))
    return PathwaySpecs(
        process_id=chosen,
        spec=spec,
        subprocess_specs=dict(subprocess_specs),
        content_hash=key,
        main=main,
        files=names,
    )


def _subprocess_specs(parser: PathwayParser, chosen: str) -> dict:
    """The specs the main process may call; with a calledElement expression, every process of the pathway."""
    specs = parser.get_subprocess_specs(chosen, require_call_activity_specs=False)
    chosen_at_run_time = [name for name in specs if is_expression(name)]
    missing = [name for name, spec in specs.items() if spec is None and not is_expression(name)]
    if missing:
        raise PathwayLoadError(f"the call activity calls process {missing[0]}, which is in no file of the pathway")
    if not chosen_at_run_time:
        return specs
    for name in chosen_at_run_time:
        del specs[name]
    for process_id in parser.get_process_ids():
        if process_id != chosen:
            specs.setdefault(process_id, parser.get_spec(process_id))
            for name, spec in parser.get_subprocess_specs(process_id, require_call_activity_specs=False).items():
                if spec is not None and not is_expression(name):
                    specs.setdefault(name, spec)
    return specs


def _connect_loops(process_spec: BpmnProcessSpec) -> None:
    # Spiff wires a loop's child spec to the loop the first time a child is created, checking
    # first whether it is already wired. Specs are shared by every case of a version, possibly in
    # several threads at once: wire them here, once, so that check never races.
    for task_spec in list(process_spec.task_specs.values()):
        if isinstance(task_spec, LoopTask):
            child = process_spec.task_specs.get(task_spec.task_spec)
            if child is not None and not child.completed_event.is_connected(task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)


def _loop_bound_of(spec_name: str, roots: Mapping[str, etree._Element]) -> int:
    """The loop bound of the process that holds the element `spec_name` (a process or sub-process id)."""
    for root in roots.values():
        for element in root.iterfind(f".//{{{BPMN_NS}}}*[@id]"):
            if element.get("id") == spec_name:
                while element is not None and element.tag != f"{{{BPMN_NS}}}process":
                    element = element.getparent()
                return loop_bound(element)
    return loop_bound(None)


def _refuse_forms(name: str, notes) -> None:
    for note in notes:
        if not note.warning:
            element = note.element
            raise PathwayLoadError(note.message, file=name, line=element.sourceline, element_id=element.get("id"), element_name=element.get("name"))


def _refuse_duplicate_ids(name: str, root: etree._Element) -> None:
    # A repeated id makes Spiff wire a step to the wrong element, which can loop forever.
    seen: set[str] = set()
    for element in root.iterfind(f".//{{{BPMN_NS}}}*[@id]"):
        element_id = element.get("id")
        if element_id in seen:
            raise PathwayLoadError(
                f'the id "{element_id}" is used by another element already; give each element its own id',
                file=name,
                line=element.sourceline,
                element_id=element_id,
                element_name=element.get("name"),
            )
        seen.add(element_id)


def _refuse_reserved_ids(name: str, root: etree._Element) -> None:
    # Spiff names its own start and end steps "Start" and "End"; an element with either id silently
    # replaces them and the process never starts (reading the file as Camunda renames them; this is the guard).
    for element in root.iterfind(f".//{{{BPMN_NS}}}process//*[@id]"):
        if element.get("id") in RESERVED_IDS:
            raise PathwayLoadError(
                f"the id \"{element.get('id')}\" is reserved by the engine; rename it (for example {element.get('id')}Event_1)",
                file=name,
                line=element.sourceline,
                element_id=element.get("id"),
                element_name=element.get("name"),
            )


def _main_process(main: str, root: etree._Element) -> str:
    processes = root.findall(f"{{{BPMN_NS}}}process")
    executable = [p.get("id") for p in processes if p.get("isExecutable", "").strip().lower() == "true"]
    if not executable:
        raise PathwayLoadError(
            'no executable process; mark the main process isExecutable="true" '
            '(in Camunda Modeler: "Executable" in the process properties)',
            file=main,
        )
    # Several: the first runs, the others through call activities (validation warns; pathway.yaml may choose).
    return executable[0]


def locate_validation_error(
    error: ValidationException, roots: Mapping[str, etree._Element] | None = None
) -> PathwayLoadError:
    """Spiff's ValidationException as a PathwayLoadError (the line found by element id if Spiff lost it)."""
    file_name = getattr(error, "file_name", "") or None
    element_id = getattr(error, "id", "") or None
    line = getattr(error, "line_number", "") or None
    if not line and element_id and roots:
        line = _line_of(element_id, roots.get(file_name), roots)
    message = str(error.args[0]) if error.args else str(error)
    return PathwayLoadError(
        message, file=file_name, line=line, element_id=element_id, element_name=getattr(error, "name", "") or None
    )


def describe_validation_error(error: ValidationException, roots: Mapping[str, etree._Element] | None = None) -> str:
    """One line naming file, line, element id/name and Spiff's message."""
    return str(locate_validation_error(error, roots))


def _line_of(element_id: str, root, roots: Mapping[str, etree._Element]):
    candidates = [root] if root is not None else list(roots.values())
    for candidate in candidates:
        found = candidate.xpath("//*[@id=$id]", id=element_id)
        if found:
            return found[0].sourceline
    return None
