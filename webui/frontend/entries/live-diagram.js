// Draws the live counts on the diagram diagram-viewer.js shows: on each step, cases waiting and
// overdue, each a link to the list of those cases; clicking a step opens its list. The table under
// the diagram holds the same counts for readers without JavaScript.
import { withEnclosing } from "./planes.mjs";

document.addEventListener("diagram:shown", async (event) => {
  const container = event.target.closest("[data-counts-url]") || event.target;
  const url = container.dataset.countsUrl;
  if (!url) return;
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const { steps } = await response.json();
  const viewer = event.detail.viewer;
  const overlays = viewer.get("overlays");
  const registry = viewer.get("elementRegistry");
  const byId = new Map(steps.map((step) => [step.id, step]));
  for (const step of steps) {
    if (!registry.get(step.id)) continue;
    const badge = document.createElement("a");
    badge.className = step.overdue ? "step-overlay overdue" : "step-overlay";
    badge.href = step.overdue ? step.overdue_url : step.url;
    badge.dataset.step = step.id;
    badge.textContent = step.overdue ? `${step.waiting} · ${step.overdue} ⚠` : String(step.waiting);
    badge.title = step.overdue ? `${step.waiting} waiting, ${step.overdue} overdue` : `${step.waiting} waiting`;
    overlays.add(step.id, { position: { top: -12, right: 12 }, html: badge });
  }
  // A step inside a collapsed sub-process is on a plane the reader has not opened: each sub-process
  // box above it shows the sum of what waits inside.
  const inside = new Map();
  for (const step of steps) {
    const element = registry.get(step.id);
    if (!element) continue;
    for (const box of withEnclosing(registry, element).slice(1)) {
      const sum = inside.get(box.id) || { waiting: 0, overdue: 0 };
      inside.set(box.id, { waiting: sum.waiting + step.waiting, overdue: sum.overdue + step.overdue });
    }
  }
  for (const [id, sum] of inside) {
    if (byId.has(id)) continue;
    const badge = document.createElement("span");
    badge.className = sum.overdue ? "step-overlay overdue" : "step-overlay";
    badge.dataset.stepsInside = id;
    badge.textContent = sum.overdue ? `${sum.waiting} · ${sum.overdue} ⚠` : String(sum.waiting);
    overlays.add(id, { position: { top: -12, right: 12 }, html: badge });
  }
  viewer.get("eventBus").on("element.click", (click) => {
    const step = byId.get(click.element.id);
    if (step) window.location.assign(step.overdue ? step.overdue_url : step.url);
  });
});
