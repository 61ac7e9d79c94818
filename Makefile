# make demo: publish the fixtures to a local sandbox.  make test: run the test suite.
# make test-quick: the unit, plugin and CLI tests, without e2e, peer and slow ones (< 60 s).
# make bench: measure pubsmith against curl and cloudsmith-cli (README, Performance).
PYTHON ?= python3
VENV ?= .venv
PEER_VENV ?= .venv-peer
HATCH_VENV ?= .venv-hatch
POETRY_VENV ?= .venv-poetry
BIN := $(VENV)/bin

.PHONY: demo test test-quick integrations lint typecheck check peer clean fixtures bench

# pubsmith and pubsmith-sandbox (sandbox/), both editable from this checkout, and the
# development tools of pyproject.toml's [dependency-groups] (pip 25.1 or later reads them).
$(BIN)/.installed: pyproject.toml sandbox/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e . -e ./sandbox --group dev
	touch $@

# The official cloudsmith-cli, in its own environment as its users install it: a test peer.
$(PEER_VENV)/.installed:
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install -q cloudsmith-cli==1.30.0
	touch $@

peer: $(PEER_VENV)/.installed

# hatch and Poetry, each in its own environment as users install them, with pubsmith (this
# checkout, editable) installed beside them as their publisher / application plugin.
$(HATCH_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(HATCH_VENV)
	$(HATCH_VENV)/bin/python -m pip install -q --upgrade pip
	$(HATCH_VENV)/bin/python -m pip install -q hatch==1.18.2 -e .
	touch $@

$(POETRY_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(POETRY_VENV)
	$(POETRY_VENV)/bin/python -m pip install -q --upgrade pip
	$(POETRY_VENV)/bin/python -m pip install -q poetry==2.5.1 -e .
	touch $@

integrations: $(HATCH_VENV)/.installed $(POETRY_VENV)/.installed

demo: $(BIN)/.installed
	bash scripts/demo.sh

# Every test, with branch coverage measured in the processes they start too; a short
# summary at the end, and a failure below the floor (fail_under in pyproject.toml).
test: $(BIN)/.installed $(PEER_VENV)/.installed integrations
	rm -f .coverage .coverage.*
	PUBSMITH_PEER_CLI=$(CURDIR)/$(PEER_VENV)/bin/cloudsmith \
	PUBSMITH_HATCH=$(CURDIR)/$(HATCH_VENV)/bin/hatch \
	PUBSMITH_POETRY=$(CURDIR)/$(POETRY_VENV)/bin/poetry \
	COVERAGE_FILE=$(CURDIR)/.coverage \
	$(BIN)/coverage run -m pytest -q -n 4
	$(BIN)/coverage combine -q
	$(BIN)/python scripts/coverage_summary.py

# The loop to run while working: no subprocess end-to-end runs, no peer tools, nothing slow.
# Four workers on two cores: most of a test's time is spent waiting on loopback HTTP and
# the client's first status poll, not computing.
test-quick: $(BIN)/.installed
	$(BIN)/pytest -q -n 4 -m "not e2e and not peer and not slow"

LINTED := core plugins sandbox tests scripts benchmarks fixtures/catalog.py docs/example-plugin

lint: $(BIN)/.installed
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(BIN)/.installed
	$(BIN)/mypy

check: lint typecheck test

# pubsmith vs curl and cloudsmith-cli on a local sandbox; exits 1 if a target is missed.
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS="--runs 5 --size 2G".
bench: $(BIN)/.installed $(PEER_VENV)/.installed
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

fixtures:
	bash fixtures/build.sh

clean:
	rm -rf $(VENV) $(PEER_VENV) $(HATCH_VENV) $(POETRY_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
