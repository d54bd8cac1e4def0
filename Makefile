# The council contact assistant. Two commands for a newcomer: `make run` and `make test`.
# Every target does the set-up it needs first: a Python 3.10 venv, the pinned dependencies,
# and a trained model when the training data or config changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
RASA   := $(VENV)/bin/rasa
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
CHROMIUM := /usr/bin/chromium
HAPROXY := /usr/sbin/haproxy
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
MODEL  := models/council.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*.yml data/nlu/*.yml data/support_needs/*.yml data/support_needs/examples/*.yml) $(wildcard bot/nlu/*.py bot/support_policy.py routing/support_needs.py routing/cue_lexicon.py routing/risk_concepts.py routing/textclassifier.py)

export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help run run-scaled test train lint typecheck bench eval eval-dev journeys fuzz load load-scaled lock clean

help:
	@echo "make run    set up what is missing, then start the assistant on localhost"
	@echo "make test   set up what is missing, then run the whole test suite"
	@echo "make run-scaled  the scale-out: 2 Rasa, 2 action servers, 2 web apps behind HAProxy, on PostgreSQL, Redis and RabbitMQ"
	@echo "make train  train the model (only when data or config changed)"
	@echo "make bench  measure bot-turn latency and throughput against a running assistant, and beside a stock rasa init bot"
	@echo "make eval   detection and intent scores: the sealed set (the headline), then the development sets"
	@echo "make eval-dev  the development sets only (for tuning: the sealed set stays unseen)"
	@echo "make journeys  resident journeys through the running assistant: goals reached, fallbacks, loops"
	@echo "make fuzz   hostile requests to every public input (FUZZ_REQUESTS, default 10000): no 5xx, no internals"
	@echo "make load   50 residents x 10 turns at once while staff and a manager work: 0 errors, turn times"
	@echo "make lint   ruff and mypy"

$(STAMP): requirements.lock scripts/find-python310
	@py=$$(scripts/find-python310) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
		rm -rf $(VENV) && echo "Creating $(VENV) with $$py" && $$py -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade "pip<25" wheel
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

# GOV.UK Frontend (styles, fonts, scripts) for the web pages, from the npm registry.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Debian's Chromium for the browser tests (a test tool's own browser download does not run here).
$(CHROMIUM):
	$(SUDO) apt-get install -y --no-install-recommends chromium || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium)

# Debian's HAProxy, the scale-out's load balancer (and for its tests).
$(HAPROXY):
	$(SUDO) apt-get install -y --no-install-recommends haproxy || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends haproxy)

$(MODEL): $(STAMP) $(TRAINING_INPUTS)
	@mkdir -p models var
	$(RASA) train --fixed-model-name council --out models
	@touch $@

train: $(MODEL)

run: $(STAMP) $(NODE_STAMP) $(MODEL)
	$(PY) -m bot run

# The scale-out profile on this machine's PostgreSQL, Redis and RabbitMQ; each setting can
# be given in the environment instead (README, "Scale-out"). Databases missing are created.
SCALED_POSTGRES ?= postgresql+psycopg2://postgres@127.0.0.1:5432
run-scaled: $(STAMP) $(NODE_STAMP) $(MODEL) $(HAPROXY)
	COUNCIL_PROFILE=scaled \
	COUNCIL_DATABASE_URL="$${COUNCIL_DATABASE_URL:-$(SCALED_POSTGRES)/council}" \
	COUNCIL_TRACKER_DATABASE_URL="$${COUNCIL_TRACKER_DATABASE_URL:-$(SCALED_POSTGRES)/council_tracker}" \
	COUNCIL_REDIS_URL="$${COUNCIL_REDIS_URL:-redis://127.0.0.1:6379/0}" \
	COUNCIL_RABBITMQ_URL="$${COUNCIL_RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}" \
	$(PY) -m bot run

lint: $(STAMP)
	$(VENV)/bin/ruff check bot actions routing storage wiring monitoring integrations evaluation tests bench
	$(VENV)/bin/ruff format --check bot actions routing storage wiring monitoring integrations evaluation tests bench
	$(VENV)/bin/mypy

test: $(STAMP) $(NODE_STAMP) $(CHROMIUM) $(HAPROXY) $(MODEL) lint
	$(PY) -m pytest

bench: $(STAMP) $(MODEL)
	$(PY) -m bench

# Regenerate the full pinned set after changing requirements.txt.
lock: $(STAMP)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip freeze --exclude-editable | grep -v '^pkg_resources' > requirements.lock

clean:
	rm -rf models var node_modules .pytest_cache .mypy_cache .ruff_cache

eval: $(STAMP) $(MODEL)
	$(PY) -m evaluation

eval-dev: $(STAMP) $(MODEL)
	$(PY) -m evaluation --development

journeys: $(STAMP) $(MODEL)
	$(PY) -m evaluation.journeys

# The full runs of the fuzz and load tests that `make test` runs at CI size; each prints its figures.
FUZZ_REQUESTS ?= 10000
LOAD_RESIDENTS ?= 50
LOAD_TURNS ?= 10

fuzz: $(STAMP) $(MODEL)
	FUZZ_REQUESTS=$(FUZZ_REQUESTS) $(PY) -m pytest tests/server/test_fuzz.py -s -q -p no:cacheprovider -o timeout=0

load: $(STAMP) $(MODEL)
	LOAD_RESIDENTS=$(LOAD_RESIDENTS) LOAD_TURNS=$(LOAD_TURNS) $(PY) -m pytest tests/server/test_load.py -s -q \
		-p no:cacheprovider -o timeout=0

# The same on the scale-out profile, through the balancer (needs PostgreSQL, Redis and RabbitMQ).
load-scaled: $(STAMP) $(MODEL) $(HAPROXY)
	SCALED_LOAD_RESIDENTS=$(LOAD_RESIDENTS) SCALED_LOAD_TURNS=$(LOAD_TURNS) $(PY) -m pytest \
		tests/scaleout/test_scaled_load.py -s -q -p no:cacheprovider -o timeout=0
