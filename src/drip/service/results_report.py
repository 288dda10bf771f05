"""How `drip stats` says it: a table, CSV, or a page with a chart (`--html DIR`).

The page is one self-contained file (inline CSS, an SVG chart, no script): counts per step,
never a patient, an address or a link that names one.
"""

from __future__ import annotations

import csv
import io
from html import escape

from drip.service.results import Results, Row

COLOURS = {
    "sent": "#2e7d32",
    "failed": "#b3261e",
    "bounced": "#e8710a",
    "suppressed": "#757575",
    "unsubscribed": "#6a1b9a",
    "opened": "#1565c0",
    "clicked": "#00838f",
}


def text(results: Results) -> str:
    if not results.rows:
        return "nothing sent yet: no step has been queued for any patient"
    width = max(len(row.label) for row in results.rows)
    head = f"{'step':<{width}}  " + "  ".join(f"{c:>12}" for c in results.columns)
    lines = [head]
    for row in results.rows:
        values = "  ".join(f"{results.value(row, c):>12}" for c in results.columns)
        lines.append(f"{row.label:<{width}}  {values}")
    totals = "  ".join(
        f"{sum(results.value(r, c) for r in results.rows):>12}" for c in results.columns
    )
    lines.append(f"{'total':<{width}}  {totals}")
    if not results.tracking:
        lines.append("opens and clicks are not tracked (DRIP_TRACKING=off)")
    return "\n".join(lines)


def as_csv(results: Results) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["sequence", "step", *results.columns])
    for row in results.rows:
        writer.writerow(
            [row.sequence, row.step_id, *(results.value(row, c) for c in results.columns)]
        )
    return out.getvalue()


def html(results: Results) -> str:
    title = f"drip stats: {results.clinic}" if results.clinic else "drip stats"
    note = (
        ""
        if results.tracking
        else "<p>Opens and clicks are not tracked (DRIP_TRACKING=off): an open would tell "
        "that a patient read about their condition.</p>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>Counts per step, over every patient.</p>{note}"
        f"{_legend(results)}{_chart(results)}{_table(results)}</body></html>"
    )


def _legend(results: Results) -> str:
    items = "".join(
        f'<li><span style="background:{COLOURS[c]}"></span>{escape(c)}</li>'
        for c in results.columns
    )
    return f'<ul class="legend">{items}</ul>'


def _chart(results: Results) -> str:
    """One group of horizontal bars per step, one bar per count, scaled to the largest."""
    if not results.rows:
        return "<p>Nothing sent yet.</p>"
    columns = results.columns
    largest = max(1, *(results.value(r, c) for r in results.rows for c in columns))
    bar, gap, label_width, scale = 9, 14, 300, 420
    group = bar * len(columns) + gap
    height = group * len(results.rows) + gap
    shapes = []
    for n, row in enumerate(results.rows):
        top = gap + n * group
        shapes.append(
            f'<text x="{label_width - 8}" y="{top + bar * len(columns) / 2 + 4}" '
            f'text-anchor="end">{escape(row.label)}</text>'
        )
        for k, column in enumerate(columns):
            value = results.value(row, column)
            length = scale * value / largest
            y = top + k * bar
            said = f"{escape(row.label)}: {value} {column}"
            shapes.append(
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar - 1}" '
                f'fill="{COLOURS[column]}"><title>{said}</title></rect>'
            )
            if value:
                x = label_width + length + 4
                shapes.append(f'<text x="{x:.1f}" y="{y + bar - 1}" class="n">{value}</text>')
    width = label_width + scale + 60
    return (
        f'<svg role="img" aria-label="counts per step" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(shapes)}</svg>'
    )


def _table(results: Results) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in results.columns)
    body = "".join(_table_row(results, row) for row in results.rows)
    return f"<table><tr><th>step</th>{head}</tr>{body}</table>"


def _table_row(results: Results, row: Row) -> str:
    cells = "".join(f"<td>{results.value(row, c)}</td>" for c in results.columns)
    return f"<tr><td>{escape(row.label)}</td>{cells}</tr>"


_CSS = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}"
    "svg text{font:12px system-ui,sans-serif}svg text.n{font-size:9px}"
    "table{border-collapse:collapse;margin-top:1.5rem}"
    "td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:right}"
    "td:first-child,th:first-child{text-align:left}"
    ".legend{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap}"
    ".legend span{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem}"
)
