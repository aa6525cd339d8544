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

demo: $(STAMP)
	mkdir -p $(DEMO)
	$(BIN)/campaign check
	$(BIN)/campaign plan --by demo
	$(BIN)/campaign approve --all --by demo
	$(BIN)/campaign preview --output $(DEMO)/preview.html
	$(BIN)/campaign export --ics $(DEMO)/week.ics
	$(BIN)/campaign status

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

clean:
	rm -rf $(VENV) build
