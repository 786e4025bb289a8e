// Planes of a diagram with collapsed sub-processes (bpmn-js draws each one's content on its own plane).

// The element and the collapsed sub-processes around it, as drawn on the planes above it.
export function withEnclosing(registry, element) {
  const found = [];
  let current = element;
  while (current) {
    found.push(current);
    let root = current;
    while (root.parent) root = root.parent;
    const box = root.businessObject && root !== current ? registry.get(root.businessObject.id) : null;
    current = box && box !== root && box !== current ? box : null;
  }
  return found;
}

// Shows the whole plane now drawn, below the breadcrumbs bpmn-js lays over a sub-process's plane (they covered
// its top edge), at most at full size (a plane of three steps is not blown up).
export function fitPlane(canvas, container) {
  const crumbs = container.querySelector(".bjs-breadcrumbs");
  const top = crumbs && crumbs.offsetParent !== null ? crumbs.offsetTop + crumbs.offsetHeight + 12 : 12;
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !inner.height || !outer.width || !outer.height) return;
  const margin = 12;
  const scale = Math.min(1, (outer.width - 2 * margin) / inner.width, (outer.height - top - margin) / inner.height);
  canvas.viewbox({
    x: inner.x - (outer.width / scale - inner.width) / 2,
    y: inner.y - top / scale,
    width: outer.width / scale,
    height: outer.height / scale,
  });
}
