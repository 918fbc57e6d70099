# Set-up is two commands (README):
#   make build   provision what is missing, then build and verify every kernel
#   make test    provision what is missing, then run the test suite
# Both are idempotent: once provisioned, a rerun only checks (seconds).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.wasmforge-installed

.PHONY: build test provision

build: provision
	$(BIN)/wasmforge build --all-targets

test: provision
	$(BIN)/python -m pytest $(PYTEST_ARGS)

provision: $(INSTALLED)
	$(BIN)/wasmforge toolchain install

# The virtual environment, rebuilt when pyproject.toml changes.
$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "wasmforge needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@
