# fairthread — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PORT ?= 8000
UV ?= uv
FT := $(UV) run --frozen fairthread
export FAIRTHREAD_DATA_DIR ?= $(CURDIR)/var
PYTEST_WORKERS ?= 2

.PHONY: install install-test demo serve test test-sqlite test-postgres test-browser bench lint fmt

install:
	@scripts/ensure-system.sh
	$(UV) sync --frozen
	npm ci --no-audit --no-fund --loglevel=error

install-test:
	@scripts/ensure-system.sh tests
	$(UV) sync --frozen
	npm ci --no-audit --no-fund --loglevel=error

demo: install
	$(FT) migrate --no-input
	$(FT) setupdemo
	$(MAKE) --no-print-directory serve

serve:
	@echo "fairthread on http://127.0.0.1:$(PORT)  (Ctrl-C stops it)"
	@$(FT) db_worker --interval 1 >"$(FAIRTHREAD_DATA_DIR)/worker.log" 2>&1 & worker=$$!; \
	  trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  $(FT) runserver 127.0.0.1:$(PORT) --noreload

# The whole suite: SQLite, then PostgreSQL (with the browser tests), started here for real.
test: install-test
	$(UV) run --frozen ruff check src tests benchmarks
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	$(UV) run --frozen pytest -n $(PYTEST_WORKERS) -m "not browser and not postgres" -p no:cacheprovider

test-postgres:
	scripts/with-postgres.sh $(UV) run --frozen pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

test-browser:
	$(UV) run --frozen pytest -m browser -p no:cacheprovider

BENCH ?=
bench: install
	@if [ -n "$(BENCH)" ]; then $(UV) run --frozen python benchmarks/$(BENCH).py; \
	else for b in benchmarks/[a-z]*.py; do echo "== $$b"; $(UV) run --frozen python $$b || exit 1; done; fi

lint:
	$(UV) run --frozen ruff check src tests benchmarks

fmt:
	$(UV) run --frozen ruff check --fix src tests benchmarks
