"""Printable pages become PDFs that use only the application's own static files."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from webui.pdf import ForbiddenResource, html_to_pdf, static_file


def test_a_printable_page_becomes_a_pdf_with_its_accented_text():
    pdf = html_to_pdf('<link rel="stylesheet" href="/static/app.css"><h1>Fiche de référencement</h1>')
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data",
    "file:///etc/passwd",
    "http://printable.invalid/static/../../pyproject.toml",
    "http://printable.invalid/etc/passwd",
])
def test_nothing_outside_the_static_files_is_fetched(url):
    with pytest.raises(ForbiddenResource):
        static_file(url)


def test_a_page_naming_a_remote_image_prints_without_asking_for_it():
    asked = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        pdf = html_to_pdf(f'<p>avant</p><img src="http://127.0.0.1:{port}/tracker.png">'
                          f'<link rel="stylesheet" href="http://127.0.0.1:{port}/static/app.css"><p>après</p>')
    finally:
        server.shutdown()
        server.server_close()
    assert pdf.startswith(b"%PDF-")
    assert asked == []
