# make demo: publish the fixtures to a local sandbox.  make test: run the test suite.
PYTHON ?= python3
VENV ?= .venv
PEER_VENV ?= .venv-peer
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck check peer clean fixtures bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# The official cloudsmith-cli, in its own environment as its users install it: a test peer.
$(PEER_VENV)/.installed:
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install -q cloudsmith-cli==1.30.0
	touch $@

peer: $(PEER_VENV)/.installed

demo: $(BIN)/.installed
	bash scripts/demo.sh

test: $(BIN)/.installed $(PEER_VENV)/.installed
	PUBSMITH_PEER_CLI=$(CURDIR)/$(PEER_VENV)/bin/cloudsmith $(BIN)/pytest -q

lint: $(BIN)/.installed
	$(BIN)/ruff check core plugins tests scripts fixtures/catalog.py

typecheck: $(BIN)/.installed
	$(BIN)/mypy

check: lint typecheck test

fixtures:
	bash fixtures/build.sh

clean:
	rm -rf $(VENV) $(PEER_VENV) .pytest_cache .mypy_cache .ruff_cache
