"""The explanation report: every method on every image, how far to trust each, one HTML page.

    enrichment.py  object enrichment E: does a map look at the object or at the background?
    numbers.py     how every number is shown, so the page and its JSON agree
    page.py        Report: one self-contained HTML page (inline figures and CSS, no script)
    methods.py     the methods' registry: every method on every image, as heat map, mass and E
    trust.py       how far to trust each method: deletion / insertion, randomisation, LIME, IG
    verdict.py     the numbers in words
    figures.py     explanation rows, confusion matrices, randomisation curves
    build.py       explanation_report: the whole report, section by section
    images.py      reading the image and mask folders: regular PNG/JPEG files only, bounded decoding
    cli.py         python -m explain report: that report for a saved model and a folder of images
"""
from .build import QUALITY_HEADER, explanation_report, package_versions, quality_rows
from .enrichment import attribution_mass, object_enrichment
from .figures import randomization_figure
from .methods import DEFAULT_METHODS, METHOD_TITLES, SHORT_TITLES, check_methods, explain_images
from .numbers import format_number, mean_sd, mean_sd_text, shown
from .page import Report
from .trust import quality_summary
from .verdict import enrichment_words, verdict_sentences
