# 小微企业园金融服务监测报送平台 — the two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-$(shell cat requirements.txt tests/requirements.txt | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: run test lint install migrate demo worker beat bench clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): $(PY) requirements.txt tests/requirements.txt
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r tests/requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

## make run: install, migrate, load the demo if the database is empty, print the logins, serve.
run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST)

## make lint: the one direction of the data path (import-linter) and ruff (pyflakes, isort, bugbear).
lint: install
	$(VENV)/bin/lint-imports --no-cache .ci/importlinter.ini
	$(VENV)/bin/ruff check --config .ci/ruff.toml portal parks banks reports tests bench

## make test: lint, then the whole suite (set DATABASE_URL / REDIS_URL to run it on PostgreSQL and Redis).
test: lint
	$(PY) -m pytest -c tests/pytest.ini tests $(PYTEST_ARGS)

worker: install
	$(VENV)/bin/celery -A portal worker -l INFO --concurrency=2

beat: install
	$(VENV)/bin/celery -A portal beat -l INFO

## make bench: every bench/ script but the helpers benchdb.py and scale.py (each on a fresh PostgreSQL database when the server answers, SQLite otherwise),
## then the `RESULT: <name> <figure>` lines they printed, in one table (a bench that failed says so there).
## BENCH_REDIS_URL=redis://127.0.0.1:6379/<db> puts the benches' caches in that (scratch) Redis database.
bench: SHELL := /bin/bash
bench: .SHELLFLAGS := -o pipefail -c
bench: install
	@log=$$(mktemp); table=$$(mktemp); status=0; \
	for b in bench/*.py; do \
	  case "$$b" in bench/benchdb.py|bench/scale.py) continue;; esac; name=$$(basename $$b .py); echo "== $$b"; \
	  if $(PY) -u $$b 2>&1 | tee $$log; then :; else status=1; printf '%s\t%s\t%s\n' "$$name" "-" "FAILED" >>$$table; fi; \
	  sed -n 's/^RESULT: *\([^ ]*\) *\(.*\)$$/\1\t\2/p' $$log | sed "s/^/$$name\t/" >>$$table; \
	done; \
	echo; echo "== results"; \
	awk -F '\t' '{ printf "%-14s %-46s %s\n", $$1, $$2, $$3 }' $$table; \
	rm -f $$log $$table; exit $$status

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
