"""Bar charts drawn on the server as SVG: no script, readable at 360 px; the numbers are in the table beside."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 150
CHART_WIDTH = 340


def bar_chart(bars: list[tuple[str, float | None, str]], title: str) -> Markup:
    """Horizontal bars (label, value or None when hidden, text shown at the bar's end).

    The SVG is hidden from screen readers: the same numbers are in the table that follows it.
    """
    if not bars:
        return Markup("")
    largest = max((value for _label, value, _text in bars if value), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 50
    height = len(bars) * (BAR_HEIGHT + GAP)
    parts = [
        f'<svg class="chart" viewBox="0 0 {CHART_WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for index, (label, value, text) in enumerate(bars):
        y = index * (BAR_HEIGHT + GAP)
        short = label if len(label) <= 24 else label[:23] + "…"
        parts.append(f'<text class="chart-label" x="0" y="{y + 15}">{escape(short)}</text>')
        if value:
            width = max(2, round(room * value / largest))
            parts.append(f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{width}" height="{BAR_HEIGHT - 6}"/>')
        else:
            width = 0
            if value is None:
                parts.append(f'<rect class="chart-bar-hidden" x="{LABEL_WIDTH}" y="{y + 3}" width="12" height="{BAR_HEIGHT - 6}"/>')
                width = 12
        parts.append(f'<text class="chart-value" x="{LABEL_WIDTH + width + 4}" y="{y + 15}">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
