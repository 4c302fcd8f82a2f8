"""``python -m explain report ...``: the command line lives in explain/report/cli.py."""
import sys

try:
    from .report.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command is still importing: nothing was written yet
    print("python -m explain report: interrupted; nothing written", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
