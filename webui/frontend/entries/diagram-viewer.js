// Shows a pathway version's diagram read-only wherever a page holds
// <div class="diagram" data-diagram-url="..."></div>; the page stays usable without it.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";

async function show(container) {
  const response = await fetch(container.dataset.diagramUrl, { credentials: "same-origin" });
  if (!response.ok) return;
  const viewer = new NavigatedViewer({ container });
  await viewer.importXML(await response.text());
  viewer.get("canvas").zoom("fit-viewport");
  container.dispatchEvent(new CustomEvent("diagram:shown", { detail: { viewer }, bubbles: true }));
}

document.querySelectorAll("[data-diagram-url]").forEach((container) => {
  show(container).catch((error) => container.setAttribute("data-diagram-error", String(error)));
});
