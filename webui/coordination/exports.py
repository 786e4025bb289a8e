"""CSV and XLSX downloads of an indicator table: the figures exactly as the page shows them, small cells hidden."""

from __future__ import annotations

import csv
import io

from flask import Response

from engine.services.coordination.suppression import Table
from engine.services.coordination.vocabulary import IndicatorVocabulary
from engine.untrusted_values import spreadsheet_text
from webui.coordination.wording import column_name, dimension_name, figure_text, row_label, table_title

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_grid(table: Table, vocabulary: IndicatorVocabulary, threshold: int, numbers: bool) -> list[list]:
    """Header and rows; a shown figure is a number when `numbers`, anything hidden is its text ("< 5", "hidden")."""
    grid = [[dimension_name(table.dimension), *(column_name(c) for c in table.columns)]]
    for row in (*table.rows, table.total):
        if row is table.total and all(f.value is None for f in row.figures):
            continue
        cells = []
        for column, figure in zip(table.columns, row.figures):
            shown = figure.shown
            cells.append(shown if numbers and shown is not None else figure_text(figure, column, threshold))
        # Labels come from pathway files, organisation names and what people typed: never a formula.
        grid.append([spreadsheet_text(row_label(table.dimension, row.key, vocabulary)), *cells])
    return grid


def _download(body: bytes, kind: str, filename: str) -> Response:
    # `kind` is the whole Content-Type: given as a mimetype, a text type would get a second charset.
    response = Response(body, content_type=kind)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_response(table: Table, vocabulary: IndicatorVocabulary, threshold: int, filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([table_title(table)])
    writer.writerows(table_grid(table, vocabulary, threshold, numbers=False))
    # A BOM so that spreadsheet programs read the accents right.
    return _download(("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", filename)


def xlsx_response(table: Table, vocabulary: IndicatorVocabulary, threshold: int, filename: str) -> Response:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = table.key[:31]
    sheet.append([table_title(table)])
    for line in table_grid(table, vocabulary, threshold, numbers=True):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return _download(out.getvalue(), XLSX_TYPE, filename)
