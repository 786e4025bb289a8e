"""Parsing of untrusted XML: no entities, no DTD, no network, bounded size."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

# A referral pathway is a few hundred kilobytes at most; anything far larger is a mistake or an attack.
MAX_XML_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class XmlProblem:
    """Why a file could not be read as XML, with the line where the reader stopped (if known)."""

    message: str
    line: int | None = None
    code: str = "malformed"  # empty, too_large, dtd, encoding or malformed


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=True,
    )


def parse_untrusted(data: bytes, max_bytes: int = MAX_XML_BYTES) -> etree._Element | XmlProblem:
    """Parse `data` as XML, returning the root element or an XmlProblem that says what is wrong."""
    if not data or not data.strip():
        return XmlProblem("the file is empty", code="empty")
    if len(data) > max_bytes:
        return XmlProblem(f"the file is {len(data):,} bytes; the limit is {max_bytes:,} bytes", code="too_large")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        # DTDs have no place in BPMN or DMN and are how entity bombs and XXE arrive.
        line = data[: data.find(b"<!")].count(b"\n") + 1
        return XmlProblem("the file declares a DTD or entities, which are not allowed", line, "dtd")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        if b"\x00" in data[:1024] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return XmlProblem("the file is not UTF-8 text (it holds NUL bytes: UTF-16 without a declaration, or binary data); save it as UTF-8", code="encoding")
        return XmlProblem(f"the file is not well-formed XML: {error.msg}", error.lineno or None)
    except (ValueError, etree.LxmlError) as error:
        return XmlProblem(f"the file cannot be read as XML: {error}")
    if root is None:
        return XmlProblem("the file holds no XML element")
    return root
