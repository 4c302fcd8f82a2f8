"""Timing helpers shared by the benchmark scripts: medians over repeats, a plain table."""
import time

import numpy as np


def median_seconds(fn, repeats=7, warmup=1):
    """Median wall time of ``fn()`` over ``repeats`` runs, after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def optional_import(name):
    try:
        return __import__(name)
    except ImportError:
        return None


def print_table(title, header, rows):
    """Rows of strings/numbers under a header, columns padded to fit."""
    cells = [[str(c) for c in header]] + [[c if isinstance(c, str) else f"{c:.3g}" for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  ".join(text.rjust(width) for text, width in zip(row, widths)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
