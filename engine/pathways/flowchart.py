"""One flowchart per stage for the printed SOP: who does which step, in which order, on an A4 page.

The diagram's own layout (one wide plane) does not shrink to a page: a stage of the Cameroon
pathway spans thousands of pixels. The printed flowchart is laid out here instead, in swimlane
columns (one per lane the stage uses) and one row per step in the order they are drawn; arrows
follow the sequence flows through gateways, events and sub-process borders. The SVG has a fixed
physical width (PRINT_WIDTH_MM) so its text keeps a known size on paper.

    chart = stage_flowchart(source, stage_steps, lane_of)
    chart.svg, chart.height_mm, chart.font_pt
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from html import escape  # quotes too: the stage code, from the pathway file, lands in an attribute

from lxml import etree

from engine.pathways.documents import BPMN_NS, is_bpmn, local
from engine.pathways.folder import BPMN_SUFFIXES, PathwaySource
from engine.pathways.xml import XmlProblem, parse_untrusted

PRINT_WIDTH_MM = 170.0  # A4 (210 mm) less 20 mm margins
VIEW_WIDTH = 600.0  # SVG user units across the page
FONT = 11.0  # user units: 11 / 600 * 170 mm = 3.1 mm, about 8.8 pt
ROW = 58.0
HEADER = 34.0
BOX_HEIGHT = 42.0
CHAR_WIDTH = FONT * 0.56
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Flowchart:
    """A stage's flowchart as SVG markup, with its printed size."""

    svg: str
    width_mm: float
    height_mm: float
    font_pt: float


class FlowGraph:
    """Which step can follow which, through whatever is drawn between them."""

    def __init__(self, source: PathwaySource):
        self._next: dict[str, list[str]] = {}
        self._kind: dict[str, str] = {}
        for name in sorted(source.files):
            if name.lower().endswith(BPMN_SUFFIXES):
                root = parse_untrusted(source.files[name])
                if not isinstance(root, XmlProblem):
                    self._read(root)

    def _read(self, root: etree._Element) -> None:
        bpmn = f"{{{BPMN_NS}}}"
        for element in root.iter():
            if not is_bpmn(element) or not element.get("id"):
                continue
            kind = local(element)
            self._kind[element.get("id")] = kind
            if kind == "sequenceFlow":
                self._link(element.get("sourceRef"), element.get("targetRef"))
            elif kind == "boundaryEvent":
                self._link(element.get("attachedToRef"), element.get("id"))
            elif kind in ("subProcess", "transaction", "adHocSubProcess"):
                for child in element:
                    if is_bpmn(child, "startEvent"):
                        self._link(element.get("id"), child.get("id"))
                    elif is_bpmn(child, "endEvent"):
                        self._exits(element, child)
        del bpmn

    def _exits(self, container: etree._Element, end: etree._Element) -> None:
        # Leaving a sub-process continues with what follows the sub-process.
        self._link(end.get("id"), f"exit:{container.get('id')}")

    def _link(self, source: str | None, target: str | None) -> None:
        if source and target:
            self._next.setdefault(source, []).append(target)

    def following_steps(self, step_id: str, steps: set[str]) -> list[str]:
        """The steps of `steps` reached from `step_id` without passing another step."""
        return [target for target, _ in self.following(step_id, steps)]

    def following(self, step_id: str, steps: set[str]) -> list[tuple[str, bool]]:
        """(step, reached through a boundary event: a deadline or an interruption) for each following step."""
        found: list[tuple[str, bool]] = []
        seen = {step_id}
        queue = deque((node, self._kind.get(node) == "boundaryEvent") for node in self._successors(step_id))
        while queue:
            node, by_event = queue.popleft()
            if node in seen:
                continue
            seen.add(node)
            if node in steps:
                found.append((node, by_event))
                continue
            queue.extend((following, by_event or self._kind.get(following) == "boundaryEvent")
                         for following in self._successors(node))
        return found

    def _successors(self, node: str) -> list[str]:
        following = list(self._next.get(node, []))
        if node.startswith("exit:"):
            container = node[len("exit:"):]
            following = [t for t in self._next.get(container, []) if self._kind.get(t) != "startEvent"
                         and not t.startswith(("exit:",))]
        elif self._kind.get(node) in ("subProcess", "transaction", "adHocSubProcess"):
            following = [t for t in following if self._kind.get(t) == "startEvent"]
        return following


def stage_flowchart(graph: FlowGraph, steps: list[tuple[str, str, str | None]], lanes: list[str],
                    no_lane: str, labelled_by: str | None = None) -> Flowchart:
    """The flowchart of one stage: `steps` are (id, name, lane) in drawing order, `lanes` in column order;
    `labelled_by` is the id of the page element that says what it shows (for screen readers)."""
    steps = _in_flow_order(graph, steps)
    columns = [lane for lane in lanes if any(step_lane == lane for _, _, step_lane in steps)]
    if any(step_lane not in columns for _, _, step_lane in steps):
        columns.append(no_lane)
    width = VIEW_WIDTH / max(len(columns), 1)
    row_of = {step_id: index for index, (step_id, _, _) in enumerate(steps)}
    column_of = {step_id: columns.index(lane if lane in columns else no_lane) for step_id, _, lane in steps}
    height = HEADER + ROW * len(steps) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" viewBox="0 0 {VIEW_WIDTH:.0f} {height:.0f}" '
             f'width="{PRINT_WIDTH_MM}mm" height="{height * PRINT_WIDTH_MM / VIEW_WIDTH:.1f}mm" role="img"'
             + (f' aria-labelledby="{escape(labelled_by)}"' if labelled_by else "") + ">",
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1d2733"/></marker></defs>']
    for index, lane in enumerate(columns):
        x = index * width
        fill = "#f3f5f7" if index % 2 == 0 else "#ffffff"
        parts.append(f'<rect x="{x:.1f}" y="0" width="{width:.1f}" height="{height:.0f}" fill="{fill}" stroke="#d8dee4"/>')
        for line_number, line in enumerate(_wrapped(lane, width - 8)[:2]):
            parts.append(f'<text x="{x + width / 2:.1f}" y="{14 + line_number * (FONT + 2):.1f}" font-size="{FONT}" '
                         f'font-weight="bold" text-anchor="middle" font-family="sans-serif">{escape(line)}</text>')
    ids = {step_id for step_id, _, _ in steps}
    for step_id, _, _ in steps:
        for target, by_event in graph.following(step_id, ids):
            parts.append(_arrow(row_of[step_id], column_of[step_id], row_of[target], column_of[target], width, by_event))
    for step_id, name, _ in steps:
        x = column_of[step_id] * width + 5
        y = HEADER + row_of[step_id] * ROW
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width - 10:.1f}" height="{BOX_HEIGHT}" rx="6" '
                     f'fill="#ffffff" stroke="#0b5cad" stroke-width="1.5"/>')
        lines = _wrapped(name, width - 18)[:3]
        top = y + BOX_HEIGHT / 2 - (len(lines) - 1) * (FONT + 1) / 2 + FONT / 3
        for number, line in enumerate(lines):
            parts.append(f'<text x="{x + (width - 10) / 2:.1f}" y="{top + number * (FONT + 1):.1f}" font-size="{FONT}" '
                         f'text-anchor="middle" font-family="sans-serif">{escape(line)}</text>')
    parts.append("</svg>")
    scale = PRINT_WIDTH_MM / VIEW_WIDTH
    return Flowchart("".join(parts), PRINT_WIDTH_MM, height * scale, FONT * scale * PT_PER_MM)


def _in_flow_order(graph: FlowGraph, steps: list[tuple[str, str, str | None]]) -> list[tuple[str, str, str | None]]:
    """Each step after the steps that lead to it (drawing order breaks ties and repetitions)."""
    ids = {step_id for step_id, _, _ in steps}
    before: dict[str, set[str]] = {step_id: set() for step_id in ids}
    for step_id in ids:
        for target in graph.following_steps(step_id, ids):
            if target != step_id:
                before[target].add(step_id)
    placed: list[tuple[str, str, str | None]] = []
    done: set[str] = set()
    while len(placed) < len(steps):
        ready = [step for step in steps if step[0] not in done and before[step[0]] <= done]
        chosen = ready[0] if ready else next(step for step in steps if step[0] not in done)
        placed.append(chosen)
        done.add(chosen[0])
    return placed


def _arrow(row: int, column: int, target_row: int, target_column: int, width: float, dashed: bool) -> str:
    x1 = column * width + width / 2
    x2 = target_column * width + width / 2
    if target_row > row:
        y1, y2 = HEADER + row * ROW + BOX_HEIGHT, HEADER + target_row * ROW
        path = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{y1 + 10:.1f} {x2:.1f},{y2 - 10:.1f} {x2:.1f},{y2:.1f}"
    else:
        # Back to an earlier step (a repetition): around the right side of the boxes.
        y1 = HEADER + row * ROW + BOX_HEIGHT / 2
        y2 = HEADER + target_row * ROW + BOX_HEIGHT / 2
        side = max(column, target_column) * width + width - 3
        path = f"M{column * width + width - 5:.1f},{y1:.1f} L{side:.1f},{y1:.1f} L{side:.1f},{y2:.1f} L{target_column * width + width - 5:.1f},{y2:.1f}"
    # A deadline or an interruption (a boundary event) is dashed: it happens only if the step is late.
    dash = ' stroke-dasharray="5 3"' if dashed else ""
    return f'<path d="{path}" fill="none" stroke="#1d2733" stroke-width="1.2"{dash} marker-end="url(#arrow)"/>'


def _wrapped(text: str, width: float) -> list[str]:
    limit = max(int(width / CHAR_WIDTH), 6)
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                lines.append(current)
            current = word if len(word) <= limit else word[: limit - 1] + "…"
    if current:
        lines.append(current)
    if len(lines) > 3:
        lines = lines[:3]
        lines[2] = lines[2][: limit - 1] + "…"
    return lines or [""]
