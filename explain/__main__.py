"""``python -m explain report ...``: the command line lives in explain/report/cli.py."""
import sys

from .report.cli import main

sys.exit(main())
