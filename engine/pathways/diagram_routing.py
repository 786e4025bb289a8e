"""Where a plane's flows and labels go: candidate routes and positions are tried in order and the first that crosses
no shape, label or (when one can) other flow is kept; the layout warnings check the result."""

from __future__ import annotations

from itertools import pairwise

from lxml import etree

from engine.pathways.diagram_geometry import Point, crossings_between, label_size, simplify
from engine.pathways.diagram_placement import ACTIVITIES, EVENT, GAP, GATEWAYS, MARGIN, SUB_PROCESSES, PlacedPlane
from engine.pathways.documents import name_of
from engine.pathways.rules.layout import Box


class RoutedPlane(PlacedPlane):
    """A placed plane whose flows are routed and whose steps and flows are labelled."""

    # -- flows -----------------------------------------------------------------------------------
    def _solid(self) -> list[tuple[str, Box]]:
        return [(n.id, n.box) for n in list(self.nodes.values()) + list(self.boundaries.values())]

    def _gap_xs(self, rank: int) -> list[float]:
        """x of the vertical channels in the gap right of column `rank` (negative: left of the first)."""
        if rank < 0:
            start = self.columns[0][0] - GAP
        else:
            start = self.columns[rank][0] + self.columns[rank][1]
        return [start + GAP * part / 4 for part in (2, 1, 3)]

    def _candidates(self, flow: etree._Element) -> list[list[Point]]:
        source_id, target = flow.get("sourceRef"), self.nodes[flow.get("targetRef")]
        (tx, ty), tleft = target.centre, target.x
        found = []
        if source_id in self.boundaries:
            event = self.boundaries[source_id]
            ex, ey = event.centre
            host = self.nodes[event.element.get("attachedToRef")]
            out = (ex, event.y + EVENT) if ey >= host.centre[1] else (ex, event.y)
            found.append([out, (ex, ty), (tleft, ty)])
            for gx in self._gap_xs(target.rank - 1):
                found.append([out, (ex, (out[1] + ty) / 2), (gx, (out[1] + ty) / 2), (gx, ty), (tleft, ty)])
            return found
        source = self.nodes[source_id]
        (sx, sy), sright = source.centre, source.x + source.width
        if abs(sy - ty) < 1:
            found.append([(sright, sy), (tleft, ty)])
        if source.kind in GATEWAYS and abs(sy - ty) >= 1:
            side = source.y + source.height if ty > sy else source.y
            found.append([(sx, side), (sx, ty), (tleft, ty)])
        lines = sorted({n.centre[1] for n in self.nodes.values()} | {self.bottom - MARGIN / 2},
                       key=lambda y: (abs(y - sy) + abs(y - ty), y))
        for line in lines:
            for gx_out in self._gap_xs(source.rank):
                for gx_in in self._gap_xs(target.rank - 1):
                    path = [(sright, sy), (gx_out, sy), (gx_out, line), (gx_in, line), (gx_in, ty), (tleft, ty)]
                    if source.kind in GATEWAYS and abs(line - sy) >= 1:
                        side = source.y + source.height if line > sy else source.y
                        found.append(simplify([(sx, side), (sx, line), (gx_in, line), (gx_in, ty), (tleft, ty)]))
                    found.append(simplify(path))
        return found

    def _route(self) -> None:
        solid = self._solid()
        for flow in self.flows:
            ends = {flow.get("sourceRef"), flow.get("targetRef")}
            best, best_score = None, None
            for path in self._candidates(flow):
                through = sum(1 for i, box in solid if i not in ends and i not in self._hosts(ends)
                              and any(box.crossed_by(a, b) for a, b in pairwise(path)))
                crossings = sum(crossings_between(path, other) for other in self.edges.values())
                score = (through, crossings, len(path))
                if best_score is None or score < best_score:
                    best, best_score = path, score
                if score[:2] == (0, 0) and len(path) <= 3:
                    break
            self.edges[flow.get("id")] = best

    def _hosts(self, ends: set) -> set:
        return {self.boundaries[e].element.get("attachedToRef") for e in ends if e in self.boundaries}

    # -- labels ----------------------------------------------------------------------------------
    def _free(self, box: Box, own_edges: tuple[str, ...] = ()) -> bool:
        if any(box.overlaps(other) for other in self.labels):
            return False
        if any(box.overlaps(shape) for _, shape in self._solid()):
            return False
        return not any(box.crossed_by(a, b) for edge_id, path in self.edges.items() if edge_id not in own_edges
                       for a, b in pairwise(path)) and not any(
            box.crossed_by(a, b) for edge_id in own_edges for a, b in pairwise(self.edges.get(edge_id, [])))

    def _place(self, candidates: list[Box], own: tuple[str, ...] = ()) -> Box:
        for box in candidates:
            if self._free(box, own):
                self.labels.append(box)
                return box
        self.crowded = True
        # Nowhere free: over a flow or a step's corner rather than over another label.
        best = min(candidates, key=lambda b: (sum(b.overlaps(o) for o in self.labels),
                                              sum(b.overlaps(s) for _, s in self._solid())))
        self.labels.append(best)
        return best

    def _label_nodes(self) -> None:
        for node in list(self.nodes.values()) + list(self.boundaries.values()):
            text = name_of(node.element)
            if not text or node.kind in ACTIVITIES:
                continue
            width, height = label_size(text)
            (cx, cy), box = node.centre, node.box
            below = Box(cx - width / 2, box.y + box.height + 4, width, height)
            above = Box(cx - width / 2, box.y - 4 - height, width, height)
            # At the plane's right end, wrapped narrower rather than wider than the plane.
            narrow_width, narrow_height = label_size(text, 56.0)
            narrow = Box(min(cx - narrow_width / 2, self.right - narrow_width), box.y + box.height + 4,
                         narrow_width, narrow_height)
            if below.x + below.width > self.right:
                below, above = narrow, Box(narrow.x, box.y - 4 - narrow_height, narrow_width, narrow_height)
            right_low = Box(box.x + box.width + 4, box.y + box.height - 4, width, height)
            left_low = Box(box.x - 4 - width, box.y + box.height - 4, width, height)
            if node.kind == "boundaryEvent":
                host = self.nodes[node.element.get("attachedToRef")]
                if cy < host.centre[1]:  # on the top border: the label above the step
                    order = [Box(box.x + box.width + 2, box.y + box.height / 2 - 4 - height, width, height),
                             Box(box.x - 2 - width, box.y + box.height / 2 - 4 - height, width, height), above]
                else:
                    order = [Box(box.x + box.width + 2, box.y + box.height / 2 + 4, width, height),
                             Box(box.x - 2 - width, box.y + box.height / 2 + 4, width, height), below]
                if host.kind in SUB_PROCESSES:  # the viewer puts its drill-down button at the bottom right
                    order = [order[1], order[0], order[2]]
            elif node.kind in GATEWAYS:
                # Up and to the left, where the flow comes in: the flows going out keep room for their labels.
                order = [Box(cx - 8 - width, box.y - height + 4, width, height), above, below, right_low, left_low]
            else:
                order = [below, above, right_low, left_low]
            self.node_labels[node.id] = self._place(order)

    def _label_flows(self) -> None:
        for flow in self.flows:
            text = name_of(flow)
            if not text:
                continue
            width, height = label_size(text, 70.0)
            path = self.edges[flow.get("id")]
            candidates = []
            for (ax, ay), (bx, by) in pairwise(path):
                if abs(ay - by) < 1:  # horizontal
                    for start in (min(ax, bx) + 6, max(ax, bx) - 6 - width, (ax + bx - width) / 2):
                        candidates += [Box(start, ay - 4 - height, width, height), Box(start, ay + 4, width, height)]
                else:
                    for start in (min(ay, by) + 6, max(ay, by) - 6 - height, (ay + by - height) / 2):
                        candidates += [Box(ax + 5, start, width, height), Box(ax - 5 - width, start, width, height)]
            self.crowded = False
            self.edge_labels[flow.get("id")] = self._place(candidates, (flow.get("id"),))
            if self.crowded and flow.get("sourceRef") in self.nodes:
                rank = self.nodes[flow.get("sourceRef")].rank
                self.wider[rank] = self.wider.get(rank, 0.0) + width / 2 + 6
