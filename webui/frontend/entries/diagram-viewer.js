// Shows a pathway version's diagram read-only wherever a page holds
// <div class="diagram" data-diagram-url="..."></div>; the page stays usable without it.
// Optional: data-diagram-marks='{"Task_X": "problem"}' puts a marker class (diagram-mark-problem,
// -added, -removed, -changed) on those elements; a link <a data-diagram-element="Task_X"> anywhere on
// the page then selects and shows that element in the diagram (the first one on the page, unless
// the link names another with data-diagram-target="id-of-the-container").
// Each diagram dispatches `diagram:shown` with { viewer } once drawn.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./breadcrumbs.css";
import { fitPlane, withEnclosing } from "./planes.mjs";

const SELECTED = "diagram-selected";
const viewers = new Map();

function marks(container) {
  try {
    return JSON.parse(container.dataset.diagramMarks || "{}");
  } catch (error) {
    return {};
  }
}

async function show(container) {
  const response = await fetch(container.dataset.diagramUrl, { credentials: "same-origin" });
  if (!response.ok) return;
  const viewer = new NavigatedViewer({ container });
  const { warnings } = await viewer.importXML(await response.text());
  // Drawn, but not all of it as the file describes it (a shape for no element, a line to nowhere): say so.
  if (warnings.length) container.setAttribute("data-diagram-warnings", String(warnings.length));
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  canvas.zoom("fit-viewport");
  // Opening a sub-process (or going back up through the breadcrumbs) shows its whole plane.
  viewer.on("root.set", () => requestAnimationFrame(() => fitPlane(canvas, container)));
  // A mark on a step inside a sub-process shows on the sub-process's box too: where to open.
  Object.entries(marks(container)).forEach(([id, kind]) => {
    for (const element of withEnclosing(registry, registry.get(id))) canvas.addMarker(element, `diagram-mark-${kind}`);
  });
  viewers.set(container, viewer);
  container.dispatchEvent(new CustomEvent("diagram:shown", { detail: { viewer }, bubbles: true }));
}

// An element inside a collapsed sub-process is drawn on its own plane: open that plane first.
function reveal(viewer, id) {
  const canvas = viewer.get("canvas");
  const element = viewer.get("elementRegistry").get(id);
  if (!element) return false;
  let root = element;
  while (root.parent) root = root.parent;
  if (canvas.getRootElement() !== root) canvas.setRootElement(root);
  viewer.get("elementRegistry").forEach((other) => canvas.removeMarker(other, SELECTED));
  canvas.addMarker(element, SELECTED);
  if (element.waypoints || element.x !== undefined) canvas.scrollToElement(element, { top: 80, left: 80, right: 80, bottom: 80 });
  return true;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-diagram-element]");
  if (!link) return;
  const target = link.dataset.diagramTarget ? document.getElementById(link.dataset.diagramTarget) : [...viewers.keys()][0];
  const viewer = target && viewers.get(target);
  if (!viewer) return;
  if (reveal(viewer, link.dataset.diagramElement)) {
    event.preventDefault();
    target.scrollIntoView({ block: "nearest" });
    target.setAttribute("data-diagram-selected", link.dataset.diagramElement);
  }
});

document.querySelectorAll("[data-diagram-url]").forEach((container) => {
  show(container).catch((error) => container.setAttribute("data-diagram-error", String(error)));
});
