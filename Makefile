# Quick start targets. Both work on a fresh machine with Python 3.11 and pip.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO := examples/demo/feeds.yaml
PORT ?= 8000

.PHONY: setup demo demo-build test lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

demo-build: setup
	$(VENV)/bin/siman-hub --config $(DEMO) run

demo: demo-build
	@echo "Demo portal built in examples/demo/public/ — open http://127.0.0.1:$(PORT)/"
	$(VENV)/bin/siman-hub --config $(DEMO) serve --port $(PORT)

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check siman_hub tests bench
	$(VENV)/bin/ruff format --check siman_hub tests bench

clean:
	rm -rf $(VENV) examples/demo/public examples/demo/data public data
