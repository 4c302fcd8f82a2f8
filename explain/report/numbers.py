"""Numbers as the report shows them: one format, and the JSON holds exactly what is printed.

Every number on the page goes through format_number: 3 significant digits
(0.123456 -> "0.123", 1234.56 -> "1235"), ints as they are, booleans as yes / no,
nan and None as "n/a". `shown` rounds a value the same way but keeps it a number
(nan -> None), and the report's JSON stores those, so a reader can find every
number of the page in the file, digit for digit. Averages over images are
mean ± sd (sd with ddof = 1, so one image has no sd) with their count n.
Read next: explain/report/page.py (the self-contained HTML page).
"""
import math

import numpy as np


def format_number(value):
    """The one way a number is printed in a report: 3 significant digits, ints as they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def shown(value):
    """The number as the report prints it, JSON-able (nan -> None), so HTML and JSON agree."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return None if math.isnan(value) else float(format_number(value))


def mean_sd(values):
    """{"mean", "sd", "n"} over the finite values (sd with ddof=1; n/a below 2 values)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    n = int(values.size)
    return {"mean": shown(values.mean()) if n else None,
            "sd": shown(values.std(ddof=1)) if n > 1 else None, "n": n}


def mean_sd_text(stats):
    """'mean ± sd (n=N)' of a mean_sd dict, as printed; 'n/a' without values."""
    if stats is None or not stats["n"]:
        return "n/a"
    sd = f" ± {format_number(stats['sd'])}" if stats["sd"] is not None else ""
    return f"{format_number(stats['mean'])}{sd} (n={stats['n']})"
