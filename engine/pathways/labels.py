"""The texts users read (element names, documentation, field labels, enum options) in each language.

The diagram is written in the pathway's first language; `i18n/<lang>.yaml` holds every other
language, keyed by the diagram's ids (see pathways/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.pathways.documents import BPMN_NS, is_bpmn, local, name_of
from engine.pathways.folder import BPMN_SUFFIXES, PathwaySource
from engine.pathways.forms import form_fields_of
from engine.pathways.untrusted_yaml import YamlProblem, load_untrusted_yaml
from engine.pathways.documents import read_diagram
from engine.pathways.xml import XmlProblem, parse_untrusted

SECTIONS = ("elements", "documentation", "fields", "values", "sections")
SECTION_PROPERTY = "aiguillage.section"  # engine.pathways.form_rules.SECTION: a field that opens a form section


@dataclass
class DiagramTexts:
    """Every user-visible text of the diagrams, in the diagram's own language, with its element."""

    elements: dict[str, str] = field(default_factory=dict)
    documentation: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)  # id of the field that opens a section -> heading
    # Where each key was found, for locating problems: key -> element.
    where: dict[tuple[str, str], etree._Element] = field(default_factory=dict)


def diagram_texts(roots: list[etree._Element], processes: set[str] | None = None) -> DiagramTexts:
    """Collect the texts of the given BPMN roots (only processes in `processes`, when given)."""
    texts = DiagramTexts()
    for root in roots:
        for process in root.findall(f"{{{BPMN_NS}}}process"):
            if processes is not None and process.get("id") not in processes:
                continue
            for element in process.iter():
                _collect(texts, element)
    return texts


def _collect(texts: DiagramTexts, element: etree._Element) -> None:
    if not is_bpmn(element):
        return
    element_id = element.get("id")
    if not element_id:
        return
    name = name_of(element)
    if name:
        texts.elements.setdefault(element_id, name)
        texts.where.setdefault(("elements", element_id), element)
    documentation = " ".join(
        "".join(d.itertext()).strip() for d in element.findall(f"{{{BPMN_NS}}}documentation")
    ).strip()
    if documentation:
        texts.documentation.setdefault(element_id, documentation)
        texts.where.setdefault(("documentation", element_id), element)
    if local(element) in ("userTask", "startEvent"):
        for form_field in form_fields_of(element):
            field_id = form_field.get("id") or ""
            texts.fields.setdefault(field_id, (form_field.get("label") or "").strip())
            texts.where.setdefault(("fields", field_id), form_field)
            for prop in form_field.iter("{*}property"):
                if (prop.get("id") or prop.get("name")) == SECTION_PROPERTY and (prop.get("value") or "").strip():
                    texts.sections.setdefault(field_id, prop.get("value").strip())
                    texts.where.setdefault(("sections", field_id), form_field)
            for value in form_field:
                if local(value) == "value":
                    key = f"{field_id}.{value.get('id') or ''}"
                    texts.values.setdefault(key, (value.get("name") or "").strip())
                    texts.where.setdefault(("values", key), value)


def translations_file(source: PathwaySource, language: str) -> str | None:
    """The name of the i18n file for `language` in the source, if there is one."""
    for suffix in (".yaml", ".yml"):
        if f"i18n/{language}{suffix}" in source.files:
            return f"i18n/{language}{suffix}"
    return None


def load_translations(source: PathwaySource, language: str) -> dict:
    """The i18n mapping of `language` ({} when absent or unreadable)."""
    name = translations_file(source, language)
    if name is None:
        return {}
    loaded = load_untrusted_yaml(source.files[name])
    return loaded if isinstance(loaded, dict) and not isinstance(loaded, YamlProblem) else {}


class Labels:
    """Labels of one pathway in one language, falling back to the diagram's own texts."""

    def __init__(self, source: PathwaySource, language: str | None = None):
        self.source = source
        self.language = language
        roots = []
        for name in sorted(source.files):
            if name.lower().endswith(BPMN_SUFFIXES):
                root = read_diagram(source.files, name)
                if not isinstance(root, XmlProblem):
                    roots.append(root)
        self._own = diagram_texts(roots)
        self._roots = roots
        own_language = source.languages[0] if source.languages else None
        self._translated = load_translations(source, language) if language and language != own_language else {}

    def _lookup(self, section: str, key: str) -> str | None:
        table = self._translated.get(section)
        value = table.get(key) if isinstance(table, dict) else None
        if isinstance(value, (str, int, float)) and str(value).strip():
            return str(value)
        own = getattr(self._own, section).get(key)
        return own or None

    def element(self, element_id: str, default: str | None = None) -> str | None:
        """The name of a task, event, gateway, lane or flow."""
        return self._lookup("elements", element_id) or default

    def diagram(self, content: bytes) -> bytes:
        """A BPMN file with its elements' names in this language, for a viewer that draws what the file
        says (the file as it is when it is in the diagram's own language, or cannot be read)."""
        if not self._translated.get("elements"):
            return content
        root = parse_untrusted(content)
        if isinstance(root, XmlProblem):
            return content
        for element in root.iter():
            element_id, name = element.get("id"), element.get("name")
            if element_id and name is not None:
                element.set("name", self.element(element_id, default=name))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def documentation(self, element_id: str) -> str | None:
        """The documentation text of an element."""
        return self._lookup("documentation", element_id)

    def field(self, field_id: str) -> str | None:
        """The label of a form field (a field id means the same thing in every form)."""
        return self._lookup("fields", field_id) or field_id

    def value(self, field_id: str, value_id: str) -> str | None:
        """The label of one option of an enum field."""
        return self._lookup("values", f"{field_id}.{value_id}") or value_id

    def section(self, field_id: str) -> str | None:
        """The heading of the form section that the field opens (None when it opens none)."""
        return self._lookup("sections", field_id)

    @property
    def title(self) -> str:
        """The pathway's title in this language (or the best available)."""
        translated = self._translated.get("title")
        if isinstance(translated, str) and translated.strip():
            return translated
        for language in (self.language, *self.source.languages):
            if language and self.source.title.get(language):
                return self.source.title[language]
        for root in self._roots:
            for process in root.findall(f"{{{BPMN_NS}}}process"):
                if name_of(process):
                    return name_of(process)
        return self.source.id
