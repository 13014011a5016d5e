# Two commands on a fresh machine: `make demo` (the main job, end to end) and `make test`.
# The virtualenv is built with a Python >= 3.12 found on the machine (see scripts/find-python).
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo demo-serve test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@PY=$$(sh scripts/find-python) && echo "using $$PY" && "$$PY" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m watchsync.demo

# The demo, then its daemon and dashboard keep running until Ctrl-C (also: make demo DEMO_SERVE=1).
demo-serve: $(STAMP)
	$(BIN)/python -m watchsync.demo --serve

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

# every bench runs (a missing fixture folder is a skip, a missed goal a MISSED line); a crash fails at the end
bench: $(STAMP)
	@failed=""; for script in bench/[!_]*.py; do echo "== $$script"; \
		$(BIN)/python $$script || failed="$$failed $$script"; done; \
		if [ -n "$$failed" ]; then echo "bench crashed:$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
