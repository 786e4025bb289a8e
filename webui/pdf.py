"""PDF documents from our own printable pages (referral forms, case summaries, SOPs, reports).

A printable page is rendered by its Jinja2 template as usual, then laid out on A4 by WeasyPrint.
The layout engine may fetch nothing but the application's own static files: a document built from
case data must never reach the network, even if a value looks like a URL.

    pdf = html_to_pdf(render_template("cases/summary_print.html", ...))
    return pdf_response(pdf, "case-CMR-2026-0042.pdf")
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Response

STATIC_DIR = (Path(__file__).resolve().parent / "static").resolve()
STATIC_PREFIX = "/static/"


class ForbiddenResource(Exception):
    """A printable page referred to something outside the application's static files."""


def static_file(url: str) -> tuple[bytes, str]:
    """The bytes and name of the static file `url` names; ForbiddenResource for anything else."""
    path = urlsplit(url).path
    if not path.startswith(STATIC_PREFIX):
        raise ForbiddenResource(f"printable pages may only use the application's static files, not {url!r}")
    target = (STATIC_DIR / path[len(STATIC_PREFIX):]).resolve()
    if not target.is_file() or STATIC_DIR not in target.parents:
        raise ForbiddenResource(f"no static file {path!r}")
    return target.read_bytes(), target.name


def _static_only_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        # WeasyPrint asks this for every stylesheet, image and font a page names.
        def fetch(self, url, headers=None):
            body, name = static_file(url)
            kind = "text/css" if name.endswith(".css") else "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": kind})

    return StaticOnly()


def html_to_pdf(html: str) -> bytes:
    """The PDF of one printable page (links to /static/... are read from disk, nothing else is fetched)."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF requests need.
    from weasyprint import HTML

    return HTML(string=html, base_url="http://printable.invalid/", url_fetcher=_static_only_fetcher()).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A download of `pdf`, never cached (it holds what only its reader may see)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in filename) or "document.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{safe}"',
        "Cache-Control": "no-store",
    })
