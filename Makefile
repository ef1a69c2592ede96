# 社群运营知识库 — the commands a newcomer needs. Only Python 3.11+ is assumed.
#   make serve   live preview on http://127.0.0.1:8000
#   make build   strict build into site/
#   make test    the whole test suite, browser tests included
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: serve build test browser manifest bench bench-search clean

$(VENV)/.site: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt package.json $(VENV)/.site
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	npm ci --no-audit --no-fund --silent
	@touch $@

# The preview leaves out the 「最后更新」 dates (a git query per page, 0.7 s of
# every rebuild); make build has them.
serve: $(VENV)/.site
	KB_GIT_DATES=false $(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

build: $(VENV)/.site
	$(PY) -m mkdocs build --strict --site-dir site

browser: $(VENV)/.dev
	@bash tests/install-browser.sh $(PY)

test: $(VENV)/.dev browser
	$(PY) -m pytest

# Add new pages and checklist items to data/permalinks.yml (it never drops one).
manifest: $(VENV)/.site
	$(PY) tests/tools/write_manifest.py

# The whole benchmark (build, scale, weight, Lighthouse, search) -> bench/README.md, bench/results.json.
# The whole report (bench/README.md, bench/results*.json), then screenshots of
# each page type for a reviewer (bench/screenshots/, not committed).
bench: $(VENV)/.dev browser build
	$(PY) bench/report.py
	$(PY) bench/screenshots.py --site site

bench-search: $(VENV)/.dev browser
	$(PY) bench/search.py

clean:
	rm -rf site .pytest_cache
