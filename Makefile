# Set-up is two commands (README):
#   make build   provision what is missing, then build and verify every kernel
#   make test    provision what is missing, then run the test suite
# Both are idempotent: once provisioned, a rerun only checks (seconds).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.wasmforge-installed

.PHONY: build test provision provision-test

build: provision
	$(BIN)/wasmforge build --all-targets

# The tests also run the optional tools (wasm-pack for --backend wasm-pack, sccache for the
# compile cache, the native wasm-opt next to binaryen.js): provisioned up front, so no test
# waits on a first-use install.
test: provision-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

provision: $(INSTALLED)
	$(BIN)/wasmforge toolchain install

provision-test: $(INSTALLED)
	$(BIN)/wasmforge toolchain install --with wasm-pack --with sccache --with wasm-opt

# The virtual environment, rebuilt when pyproject.toml changes.
$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "wasmforge needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@
