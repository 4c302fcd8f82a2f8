"""The explanation report: every method on every image, how far to trust each, one HTML page.

    build.py   object enrichment, the methods, the trust numbers, the verdict, the page
    cli.py     python -m explain report: that report for a saved model and a folder of images
"""
from .build import (Report, explain_images, explanation_report, format_number, mean_sd, object_enrichment,
                    quality_summary)
