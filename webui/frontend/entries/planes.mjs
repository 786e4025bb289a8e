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
