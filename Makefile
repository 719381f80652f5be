# The README's commands. Everything installs into .venv with a Python >= 3.12 found on this machine.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 $(HOME)/.pyenv/versions/3.13*/bin/python3 $(HOME)/.pyenv/versions/3.12*/bin/python3 /usr/bin/python3; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Where the demo's logins, share links and QR codes point: the host and port it is served on.
DEMO_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
DEMO_HOSTS ?= 127.0.0.1,localhost,$(HOST)
export WEISHANG_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test install lint bench messages serve

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Weishang needs Python 3.12 or newer (python3.12 / python3.13 on PATH)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# The browser libraries the app serves itself (ECharts), exactly as package-lock.json pins them.
node_modules/.package-lock.json: package-lock.json package.json
	@command -v npm >/dev/null || { echo "Weishang needs Node.js with npm (for ECharts)."; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

install: $(VENV)/.installed node_modules/.package-lock.json

demo: install
	WEISHANG_DEBUG=1 $(BIN)/weishang migrate --noinput
	WEISHANG_DEBUG=1 WEISHANG_SITE_URL=$(DEMO_URL) $(BIN)/weishang load_demo
	WEISHANG_DEBUG=1 WEISHANG_SITE_URL=$(DEMO_URL) WEISHANG_ALLOWED_HOSTS=$(DEMO_HOSTS) $(BIN)/weishang runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples

bench: install
	$(BIN)/python bench/checkout.py

messages: install
	cd src/weishang && WEISHANG_DEBUG=1 ../../$(BIN)/weishang makemessages -l zh_Hans --no-obsolete && WEISHANG_DEBUG=1 ../../$(BIN)/weishang compilemessages
