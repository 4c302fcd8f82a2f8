"""A text explanation as one self-contained HTML page (what lime's show_in_notebook shows).

lime builds its page from a bundled D3 script. Here the same three panels
are plain HTML and inline CSS, so the file opens anywhere, offline, and
runs no script at all:
    * prediction probabilities: one bar per class, width = p;
    * per explained label, the words' weights: a bar of width |w| / max|w|,
      green when the word pushes that label up, red when it pushes it down;
    * the text, each word's background shaded by its weight for the first label.
Every string from the user goes through html.escape.
Read next: explain/lime/plots.py.
"""
import html

import numpy as np

POSITIVE = "#1a9850"
NEGATIVE = "#d73027"

_STYLE = """
body { font-family: sans-serif; margin: 1em; }
.panel { display: inline-block; vertical-align: top; margin: 0 2em 1em 0; }
.row { display: flex; align-items: center; margin: 2px 0; font-size: 13px; }
.name { width: 10em; text-align: right; padding-right: 0.5em; overflow: hidden; }
.bar { height: 14px; }
.value { padding-left: 0.4em; }
.text { white-space: pre-wrap; font-family: monospace; line-height: 1.6; max-width: 60em; }
"""


def _bar_row(name, fraction, colour, shown):
    width = max(0.0, min(1.0, fraction)) * 12
    return (f'<div class="row"><span class="name">{html.escape(str(name))}</span>'
            f'<span class="bar" style="width:{width:.2f}em;background:{colour}"></span>'
            f'<span class="value">{html.escape(shown)}</span></div>')


def probability_panel(class_names, probabilities):
    rows = [_bar_row(name, float(p), "#4575b4", f"{float(p):.2f}") for name, p in zip(class_names, probabilities)]
    return '<div class="panel"><h3>Prediction probabilities</h3>' + "".join(rows) + "</div>"


def weights_panel(title, pairs):
    largest = max((abs(w) for _, w in pairs), default=0.0) or 1.0
    rows = [_bar_row(word, abs(w) / largest, POSITIVE if w > 0 else NEGATIVE, f"{w:+.3f}") for word, w in pairs]
    return f'<div class="panel"><h3>{html.escape(title)}</h3>' + "".join(rows) + "</div>"


def highlighted_text(tokens, token_feature, weights, label_name, opacity=True):
    largest = float(np.abs(weights).max()) if len(weights) else 0.0
    largest = largest or 1.0
    parts = []
    for token, feature in zip(tokens, token_feature):
        text = html.escape(token)
        if feature >= 0 and weights[feature] != 0:
            alpha = 0.15 + 0.75 * abs(weights[feature]) / largest if opacity else 0.6
            colour = POSITIVE if weights[feature] > 0 else NEGATIVE
            text = f'<span style="background:{colour}{int(alpha * 255):02x}">{text}</span>'
        parts.append(text)
    legend = (f'<p>Words in <span style="color:{POSITIVE}">green</span> push {html.escape(label_name)} up, '
              f'words in <span style="color:{NEGATIVE}">red</span> push it down; stronger colour, larger weight.</p>')
    return ('<div class="panel"><h3>Text with highlighted words</h3>' + legend + '<div class="text">'
            + "".join(parts) + "</div></div>")


def page(body_parts, title="LIME explanation"):
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
            + "\n".join(body_parts) + "\n</body></html>\n")
