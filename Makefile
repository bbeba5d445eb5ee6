# GridPrograms: `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Where `make run` listens: this machine only, unless you say otherwise (HOST=0.0.0.0).
HOST ?= 127.0.0.1
PYTEST_ARGS ?=

# The development defaults `make run` needs; every one can be overridden from the environment.
RUN_ENV := DEBUG=$${DEBUG:-1} WEBHOOKS_ALLOW_PRIVATE_NETWORKS=$${WEBHOOKS_ALLOW_PRIVATE_NETWORKS:-1} SITE_URL=$${SITE_URL:-http://localhost:$(PORT)}

.PHONY: help run test lint fmt migrate shell install demo worker ci bench lock lock-check serve bench-webhooks bench-serve scaleout

help:
	@echo "make run      install, migrate, load demo data, serve on HOST=$(HOST) PORT=$(PORT) with the worker"
	@echo "make test     run the whole test suite (SQLite, or DATABASE_URL)"
	@echo "make lint     ruff check + format check"
	@echo "make fmt      ruff fix + format"
	@echo "make migrate  apply database migrations"
	@echo "make shell    Django shell"
	@echo "make serve    production shape: gunicorn, DEBUG=0, workers (docs/deployment.md)"
	@echo "make bench    benchmarks (BENCH_DB=postgres://... BENCH_ARGS=--http); docs/benchmarks.md"
	@echo "make lock     regenerate requirements.lock from pyproject.toml (then commit it)"

$(PY):
	@py=""; \
	for candidate in python3.13 python3.12 python3 python; do \
	  if command -v $$candidate >/dev/null 2>&1 && \
	     $$candidate -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
	    py=$$candidate; break; \
	  fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "GridPrograms needs Python 3.12 or newer (3.13 recommended); none was found on PATH." >&2; \
	  echo "Install it (e.g. 'pyenv install 3.13' or your OS package) and run make again." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$($$py --version)"; \
	$$py -m venv $(VENV)

# Installs exactly the pinned, hash-checked versions of requirements.lock (then the project itself,
# without dependencies). A lock older than pyproject.toml's dependencies stops here, saying to run
# `make lock`.
LOCK := requirements.lock
PIP_TOOLS := pip-tools>=7.4,<8
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

$(STAMP): pyproject.toml $(LOCK) | $(PY)
	@$(PY) scripts/lockfile.py check $(LOCK)
	$(PIP) --upgrade pip
	$(PIP) --require-hashes -r $(LOCK)
	$(PIP) --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

# One command after any dependency change in pyproject.toml: keeps every pin it can, adds or
# moves only what changed, and records which dependency lists it was made from.
lock: | $(PY)
	$(PIP) "$(PIP_TOOLS)"
	$(PY) -m piptools compile --quiet --extra dev --strip-extras --generate-hashes --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml
	$(PY) scripts/lockfile.py stamp $(LOCK)
	@echo "$(LOCK) is up to date with pyproject.toml: commit it."

lock-check: | $(PY)
	@$(PY) scripts/lockfile.py check $(LOCK)

migrate: $(STAMP)
	$(RUN_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo

run: migrate
	@$(RUN_ENV) $(PY) manage.py seed_demo --banner --port $(PORT)
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	$(RUN_ENV) $(PY) manage.py db_worker --queue-name '*' --no-reload & \
	$(RUN_ENV) $(PY) manage.py webhook_worker & \
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT) --noreload --skip-checks & \
	wait

worker: $(STAMP)
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	$(RUN_ENV) $(PY) manage.py db_worker --queue-name '*' --no-reload & \
	$(RUN_ENV) $(PY) manage.py webhook_worker & \
	wait

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# On demand, never part of `make test`: seeds its own database (dropped and re-created).
BENCH_DB ?= sqlite:///$(CURDIR)/var/bench.sqlite3
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) -m bench.run --db $(BENCH_DB) $(BENCH_ARGS)
	$(PY) -m bench.webhooks --db $(BENCH_DB)
	$(PY) -m bench.serve --db $(BENCH_DB)

# The webhook engine alone (deliveries/s with 1, 2, 4 workers; idle latency). docs/benchmarks.md
bench-webhooks: $(STAMP)
	$(PY) -m bench.webhooks --db $(BENCH_DB)

# `make serve`'s shape against `make run`'s on the same requests. docs/benchmarks.md
bench-serve: $(STAMP)
	$(PY) -m bench.serve --db $(BENCH_DB)

# The scale-out test (tests/scaleout): 2 web groups, 3 workers, faults; PostgreSQL only.
scaleout: $(STAMP)
	SCALEOUT=1 $(PY) -m pytest tests/scaleout -m scaleout -p no:randomly -s $(PYTEST_ARGS)

# Production shape on this machine (deploy/serve.sh; docs/deployment.md).
serve: $(STAMP)
	PORT=$(PORT) bash deploy/serve.sh

shell: $(STAMP)
	$(RUN_ENV) $(PY) manage.py shell

ci:
	bash .ci/run
