# The two commands: `make demo` runs the shipped campaign week, `make test` runs the tests.
# Both create and fill the virtual environment in .venv when needed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO := build/demo
export CAMPAIGN_DATABASE_URL ?= sqlite:///$(CURDIR)/$(DEMO)/campaign.db

.PHONY: demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job: check the shipped week, publish all of it to the local platform sandbox with
# time accelerated (the week and a week of metric snapshots in about a minute), on SQLite,
# with no credentials; then show what was sent and what it reached.
demo: $(STAMP)
	mkdir -p $(DEMO)
	$(BIN)/campaign check
	$(BIN)/campaign rehearse --speed 20000 --database $(CAMPAIGN_DATABASE_URL)
	$(BIN)/campaign status
	$(BIN)/campaign report
	$(BIN)/campaign report --format html --output $(DEMO)/report.html
	$(BIN)/campaign report --format csv --output $(DEMO)/report.csv
	$(BIN)/campaign preview --output $(DEMO)/preview.html
	$(BIN)/campaign export --ics $(DEMO)/week.ics
	$(BIN)/campaign audit --export $(DEMO)/audit.csv

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -m "not serial"
	$(BIN)/pytest -m serial -n 0

clean:
	rm -rf $(VENV) build
