# TĐKT event platform. `make test` and `make run` install what is missing (uv, the venv, Kafka jars, FerretDB).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv/bin
PY_SOURCES := pyproject.toml uv.lock shared/pyproject.toml $(wildcard services/*/pyproject.toml) $(wildcard tools/*/pyproject.toml)

.PHONY: help venv test test-mongo lint typecheck unit integration run stack-up stack-down stack-status events-doc compose-check bench demo

help:
	@echo "make test        ruff, mypy and pytest (unit + integration on a real Kafka 4 and FerretDB)"
	@echo "make run         the stack, the four services and the portal (http://127.0.0.1:8005); Ctrl-C stops them"
	@echo "make test-mongo MONGODB_URL=...  the store contract against any MongoDB 7+ (no Kafka needed)"
	@echo "make events-doc  regenerate docs/events.md and docs/asyncapi.yaml from the event models"
	@echo "make compose-check  validate docker-compose.yml with compose-go (what docker compose config uses)"
	@echo "make demo        the seed letter end to end against make run's services (ports 8001-8004)"
	@echo "make stack-up | stack-down | stack-status"

.venv/.synced: $(PY_SOURCES)
	scripts/bootstrap.sh
	touch $@

venv: .venv/.synced

lint: venv
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

typecheck: venv
	$(VENV)/mypy

unit: venv
	$(VENV)/pytest tests/unit

integration: venv
	scripts/with-stack.sh $(VENV)/pytest tests/integration

test: venv
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy
	TDKT_AUTH_KEY_FILE=./auth.key scripts/compose-check.sh  # the operator names the key file; any name checks the structure
	scripts/asyncapi-check.sh
	scripts/with-stack.sh $(VENV)/pytest

test-mongo: venv
	@[[ -n "$${MONGODB_URL:-}" ]] || { echo "set MONGODB_URL, e.g. make test-mongo MONGODB_URL=mongodb://127.0.0.1:27017" >&2; exit 2; }
	$(VENV)/pytest -p no:cacheprovider tests/integration/test_store_mongo.py

compose-check:
	TDKT_AUTH_KEY_FILE=./auth.key scripts/compose-check.sh  # the operator names the key file; any name checks the structure

run: venv
	@echo "The portal: http://127.0.0.1:8005 (public honour roll; sign in at /dang-nhap with any role in development)."
	@echo "Writes need a bearer token (docs/authorization.md). A development token, valid 8 hours:"
	@echo "  TOKEN=\$$(AUTH_MODE=development $(VENV)/python -m tdkt_shared.auth issue --sub me --org so-noi-vu-bac-kan --role admin)"
	@echo "  curl -H \"Authorization: Bearer \$$TOKEN\" ...   (or use Authorize in http://127.0.0.1:8001/docs)"
	scripts/with-stack.sh $(VENV)/honcho -f Procfile start

events-doc: venv
	$(VENV)/python -m tdkt_shared.contract.catalog --write docs/events.md
	$(VENV)/python -m tdkt_shared.contract.asyncapi --write docs/asyncapi.yaml

stack-up: venv
	scripts/stack.sh up

stack-down:
	scripts/stack.sh down

stack-status:
	scripts/stack.sh status

bench: venv
	scripts/with-stack.sh $(VENV)/python -m bench $(BENCH_ARGS)

demo: venv
	AUTH_MODE=development $(VENV)/tdkt-demo
