// The browser modeler for a pathway draft: bpmn-js with the Camunda 7 properties panel (forms,
// conditions, timers, candidate groups, properties). The page holds
//   <form data-modeler-form> with <textarea name="bpmn" hidden> and a submit button,
//   <div data-modeler-url="..." data-modeler-panel="#panel-id">.
// Saving puts the diagram's XML into the textarea and sends the form: the server validates it and
// keeps it in the draft. Without JavaScript the page offers the download and upload instead.
import Modeler from "bpmn-js/lib/Modeler";
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from "bpmn-js-properties-panel";
import CamundaBehaviorsModule from "camunda-bpmn-js-behaviors/lib/camunda-platform";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./breadcrumbs.css";
import { fitPlane } from "./planes.mjs";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn.css";
import "@bpmn-io/properties-panel/dist/assets/properties-panel.css";

async function open(container) {
  const response = await fetch(container.dataset.modelerUrl, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`the diagram could not be loaded (${response.status})`);
  const modeler = new Modeler({
    container,
    propertiesPanel: { parent: container.dataset.modelerPanel },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule,
      CamundaPlatformPropertiesProviderModule, CamundaBehaviorsModule],
    moddleExtensions: { camunda: camundaModdle },
  });
  const { warnings } = await modeler.importXML(await response.text());
  if (warnings.length) container.setAttribute("data-modeler-warnings", String(warnings.length));
  modeler.get("canvas").zoom("fit-viewport");
  modeler.on("root.set", () => requestAnimationFrame(() => fitPlane(modeler.get("canvas"), container)));
  const form = document.querySelector("[data-modeler-form]");
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const { xml } = await modeler.saveXML({ format: true });
      form.querySelector("textarea[name=bpmn]").value = xml;
      form.submit(); // sends the form without a second submit event
    });
    form.hidden = false;
  }
  const focus = container.dataset.modelerSelect;
  const element = focus && modeler.get("elementRegistry").get(focus);
  if (element) {
    // The properties panel shows the diagram's root once the import is done: select after it. An
    // element inside a collapsed sub-process is on that sub-process's plane: open the plane (which
    // clears the selection) before selecting.
    setTimeout(() => {
      modeler.get("canvas").scrollToElement(element);
      modeler.get("selection").select(element);
    }, 100);
  }
  container.dispatchEvent(new CustomEvent("modeler:shown", { detail: { modeler }, bubbles: true }));
}

document.querySelectorAll("[data-modeler-url]").forEach((container) => {
  open(container).catch((error) => container.setAttribute("data-modeler-error", String(error)));
});
