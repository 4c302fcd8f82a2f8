# Two entry points: `make demo` (the main job, wolves vs huskies) and `make test` (the whole suite).
# Each builds its own virtual environment in .venv and installs what it needs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: demo demo-digits test venv bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

venv: $(PY)
	$(PY) -m pip install --quiet -e '.[test]'

demo: venv
	MPLBACKEND=Agg $(PY) -m demos.wolves_vs_huskies --out out
	@echo "report: $(CURDIR)/out/wolves_vs_huskies.html (open it in a browser)"

demo-digits: venv
	MPLBACKEND=Agg $(PY) -m demos.main

test: venv
	MPLBACKEND=Agg $(PY) -m pytest tests

bench: venv
	$(PY) -m benchmarks.run_all

clean:
	rm -rf $(VENV) out build *.egg-info
	find . -path ./$(VENV) -prune -o \( -name '*.nbi' -o -name '*.nbc' \) -exec rm -f {} +
