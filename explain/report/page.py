"""One self-contained HTML page: everything inline, nothing to fetch, nothing to run.

A report must survive being mailed, archived and opened offline years later, so
the page is a single file: figures as base64 PNGs in data: URIs, inline CSS, no
script, no external link. Every text is HTML-escaped (a model named "<b>" is
shown, not obeyed), the verdict always sits under the title whenever it was
added, and the file is written atomically (temp file + fsync + rename), so a
crash leaves the old report or the new one, never half of one.
`Report.numbers` is the JSON-able dict of every number the page shows.
Read next: explain/report/methods.py (every method on every image).
"""
import base64
import html
import io

import matplotlib.pyplot as plt
import numpy as np

from tinygrad_edu.io.atomic import atomic_write_text

from .numbers import format_number

CSS = """
body{font-family:Georgia,'DejaVu Serif',serif;color:#1d1d1d;background:#fff;margin:0;line-height:1.5}
main{max-width:1240px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:2em;margin:.2em 0 .4em}
h2{font-size:1.45em;border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
.verdict{background:#fff6df;border-left:8px solid #e0a100;padding:14px 20px;font-size:1.2em;margin:1em 0}
.verdict p{margin:.4em 0}
.intro{color:#333;max-width:60em}
figure{margin:1.2em 0}
figure img{max-width:100%;height:auto;border:1px solid #e4e4e4}
figcaption{color:#444;font-size:.95em;max-width:60em}
table{border-collapse:collapse;margin:1em 0;font-size:1em}
caption{caption-side:top;text-align:left;font-weight:bold;padding:.3em 0}
th,td{border:1px solid #cfcfcf;padding:5px 10px;text-align:left;vertical-align:top}
th{background:#f1f1f1}
td.num{text-align:right;font-variant-numeric:tabular-nums;font-family:'DejaVu Sans Mono',monospace}
td.pass{background:#e3f4e1}td.fail{background:#fbe2e0}
nav{font-size:.95em;color:#555}nav a{color:#1f4e9c}
"""


def figure_png(figure, dpi=100):
    """PNG bytes of a matplotlib figure (which is then closed)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


class Report:
    """One self-contained HTML page, built in order: sections, text, tables, figures, settings.

    The verdict paragraphs always come first, under the title, whenever they were added.
    `numbers` is the JSON-able dict of every number the page shows (filled by
    explanation_report in build.py; add your own beside them).
    """

    def __init__(self, title):
        self.title = str(title)
        self.verdicts = []
        self.verdict_texts = []     # the same, as plain text (for a terminal)
        self.blocks = []
        self.sections = []
        self.numbers = {}

    def verdict(self, text):
        self.verdicts.append(f"<p>{html.escape(str(text))}</p>")
        self.verdict_texts.append(str(text))
        return self

    def section(self, title, intro=None):
        anchor = f"s{len(self.sections) + 1}"
        self.sections.append((anchor, str(title)))
        self.blocks.append(f'<h2 id="{anchor}">{html.escape(str(title))}</h2>')
        if intro:
            self.blocks.append(f'<p class="intro">{html.escape(str(intro))}</p>')
        return self

    def text(self, paragraph):
        self.blocks.append(f"<p>{html.escape(str(paragraph))}</p>")
        return self

    def figure(self, figure_or_png, caption):
        """A matplotlib figure (rendered and closed) or PNG bytes, with its caption."""
        png = figure_or_png if isinstance(figure_or_png, (bytes, bytearray)) else figure_png(figure_or_png)
        if not bytes(png[:8]) == b"\x89PNG\r\n\x1a\n":
            raise ValueError("Report.figure expected a matplotlib figure or PNG bytes")
        data = base64.b64encode(bytes(png)).decode("ascii")
        caption = html.escape(str(caption))
        self.blocks.append(f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
                           f"<figcaption>{caption}</figcaption></figure>")
        return self

    def table(self, header, rows, caption=None):
        """Cells may be numbers (printed by format_number, right-aligned) or text."""
        parts = ["<table>"]
        if caption:
            parts.append(f"<caption>{html.escape(str(caption))}</caption>")
        parts.append("<thead><tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in header) + "</tr></thead>")
        parts.append("<tbody>")
        for row in rows:
            if len(row) != len(header):
                raise ValueError(f"Report.table: a row has {len(row)} cells, the header {len(header)}")
            parts.append("<tr>" + "".join(_cell(value) for value in row) + "</tr>")
        parts.append("</tbody></table>")
        self.blocks.append("".join(parts))
        return self

    def settings(self, settings):
        """A two-column table of the (possibly nested) settings dict, keys joined by dots."""
        rows = [(key, value if isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
                 else str(value)) for key, value in _flatten(settings)]
        return self.table(["setting", "value"], rows)

    def to_html(self):
        contents = " · ".join(f'<a href="#{a}">{html.escape(t)}</a>' for a, t in self.sections)
        verdict = f'<div class="verdict">{"".join(self.verdicts)}</div>' if self.verdicts else ""
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                f"<title>{html.escape(self.title)}</title><style>{CSS}</style></head><body><main>"
                f"<h1>{html.escape(self.title)}</h1>{verdict}"
                + (f"<nav>Contents: {contents}</nav>" if contents else "")
                + "\n".join(self.blocks) + "</main></body></html>\n")

    def write(self, path):
        """Write the page atomically (temp file + fsync + rename): all of it or nothing."""
        atomic_write_text(path, self.to_html())
        return path


def _cell(value):
    if isinstance(value, (bool, np.bool_)):
        word = "pass" if value else "fail"
        return f'<td class="{word}">{word}</td>'
    if isinstance(value, (int, float, np.number)) or value is None:
        return f'<td class="num">{html.escape(format_number(value))}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def _flatten(settings, prefix=""):
    for key, value in settings.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, name + ".")
        else:
            yield name, value
