# One command for each everyday task. `make serve` and `make test` are the README's two commands:
# each sets everything up first (a local .venv; Debian packages when run as root on Debian).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8866
STAMP := $(VENV)/.installed

PROXY := .node/node_modules/.bin/configurable-http-proxy
HUB_PORT ?= 8000

.PHONY: setup proxy system-deps serve hub test test-fast lint format bench screenshots template clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

## JupyterHub's proxy (npm package configurable-http-proxy) in a local folder; Debian's nodejs
## and npm are installed first when node is missing (as root).
$(PROXY):
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else echo "Install Node.js and npm (sudo apt-get install nodejs npm)"; exit 1; fi; \
	fi
	npm install --prefix .node --no-audit --no-fund --loglevel=error configurable-http-proxy@5.3.0

proxy: $(PROXY)

## Debian's chromium (browser tests, screenshots), CJK fonts and slapd (the hub's LDAP test);
## skipped when already present.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || [ ! -x /usr/sbin/slapd ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk slapd ldap-utils >/dev/null; \
	  else echo "Install Debian's chromium, fonts-noto-cjk and slapd (sudo apt-get install chromium fonts-noto-cjk slapd ldap-utils)"; exit 1; fi; \
	fi

serve: setup
	$(BIN)/oqtk serve --port $(PORT)

## The bureau deployment (add accounts first: .venv/bin/oqtk hub users add NAME --role officer)
hub: setup $(PROXY)
	$(BIN)/oqtk hub --port $(HUB_PORT)

test: setup system-deps $(PROXY)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not browser and not slow"

lint: setup
	$(BIN)/ruff check toolkit tests bench notebooks
	$(BIN)/ruff format --check toolkit tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format toolkit tests bench
	$(BIN)/ruff check --fix toolkit tests bench

bench: setup system-deps $(PROXY)
	$(BIN)/python -m bench

screenshots: setup system-deps
	$(BIN)/python scripts/screenshots.py

template: setup
	$(BIN)/oqtk template --out templates/intake_template.xlsx

clean:
	rm -rf $(VENV) .node .pytest_cache .ruff_cache .mypy_cache build *.egg-info
