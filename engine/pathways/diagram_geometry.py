"""The arithmetic under the diagram layout: orthogonal paths, their crossings, a label's size.

None of it knows BPMN: it works on points, segments and text. It stands apart from
`diagram_layout` so that module reads as the placement decisions it makes, and so a change to
how a label is measured or a crossing counted can be checked on its own.
"""

from __future__ import annotations

import math
from itertools import pairwise

LABEL_WIDTH = 90.0
LINE_HEIGHT = 14.0
LABEL_FONT = 11.0  # px: bpmn-js's external labels
NARROW = set("iljtfrI.,;:'!| ()[]-")
WIDE = set("mwMW")
Point = tuple[float, float]


def _text_width(text: str) -> float:
    """About how wide bpmn-js draws `text` in its 11 px Arial label font, with 10 % to spare."""
    em = 0.0
    for char in text:
        if char in NARROW:
            em += 0.28
        elif char in WIDE:
            em += 0.85
        elif char.isupper() or char.isdigit():
            em += 0.67
        else:
            em += 0.56
    return em * LABEL_FONT * 1.1


def label_size(text: str, width: float = LABEL_WIDTH) -> tuple[float, float]:
    """The box an external label's text needs when wrapped at `width` (words are never split)."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and _text_width(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    widest = max(_text_width(item) for item in lines)
    # bpmn-js wraps a label at its box's width: a little room keeps a short word on one line.
    return math.ceil(max(widest, 24.0) + 8), math.ceil(len(lines) * LINE_HEIGHT)


def simplify(path: list[Point]) -> list[Point]:
    """The path without repeated points or points in the middle of a straight run."""
    points: list[Point] = []
    for point in path:
        if points and abs(points[-1][0] - point[0]) < 1 and abs(points[-1][1] - point[1]) < 1:
            continue
        if len(points) >= 2 and _collinear(points[-2], points[-1], point):
            points[-1] = point
            continue
        points.append(point)
    return points


def _collinear(a: Point, b: Point, c: Point) -> bool:
    return (abs(a[0] - b[0]) < 1 and abs(b[0] - c[0]) < 1) or (abs(a[1] - b[1]) < 1 and abs(b[1] - c[1]) < 1)


def crossings_between(path: list[Point], other: list[Point]) -> int:
    """How many times two orthogonal paths cross (touching at an end does not count)."""
    count = 0
    for a, b in pairwise(path):
        for c, d in pairwise(other):
            if _segments_cross(a, b, c, d):
                count += 1
    return count


def _segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    def orient(p, q, r):
        value = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return (value > 1e-6) - (value < -1e-6)

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if 0 in (o1, o2, o3, o4):
        # Collinear runs drawn on top of each other read as one flow: count them as a crossing.
        if o1 == o2 == 0 and _overlap_1d(a, b, c, d) > 1:
            return True
        return False
    return o1 != o2 and o3 != o4


def _overlap_1d(a: Point, b: Point, c: Point, d: Point) -> float:
    axis = 0 if abs(a[0] - b[0]) > abs(a[1] - b[1]) else 1
    low1, high1 = sorted((a[axis], b[axis]))
    low2, high2 = sorted((c[axis], d[axis]))
    return min(high1, high2) - max(low1, low2)
