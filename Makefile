# 职称评审助手 — `make` prints this help. `make run` and `make test` set up whatever is missing.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

# Python 3.10 (Rasa 3.6 does not run on 3.11): pyenv's shim reads .python-version.
PYTHON310 ?= $(shell command -v python3.10 2>/dev/null || ls -d $(HOME)/.pyenv/versions/3.10.*/bin/python3.10 2>/dev/null | tail -n1)
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/assistant.tar.gz
STAMP_VENV := $(VENV)/.installed
STAMP_RES := build/.resources
STAMP_BROWSER := build/.chromium
STAMP_SERVICES := build/.services

export PYTHONPATH := $(CURDIR)
# Quiet, deterministic TensorFlow on CPU.
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_DETERMINISTIC_OPS := 1
export PYTHONHASHSEED := 0
export RASA_TELEMETRY_ENABLED := false
export SANIC_REGISTER := False
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

# Every setting (ports, hosts, CORS origins, limits, databases, WeChat, staff page, retention) is read
# from the environment by bot/settings.py, which holds each default once; see its table or
# docs/security.md. Set a variable to change it, e.g. `RASA_PORT=5006 make run`. make run and make
# shell export what Rasa's YAML refers to — the generated secrets RASA_AUTH_TOKEN and
# ACTION_SERVER_TOKEN (var/, first run) and ACTION_ENDPOINT_URL / TRACKER_STORE_URL — from there.
SECRETS := eval "$$($(PY) -m bot.settings exports)"

# --- Web chat widget (docs/widget.md).
# (block owned by the widget) npm ci when the lock file changes, esbuild when a source changes.
NPM ?= npm
STAMP_WIDGET_DEPS := widget/node_modules/.installed
STAMP_WIDGET := widget/dist/.built
WIDGET_SRC := $(wildcard widget/src/*) widget/build.mjs

$(STAMP_WIDGET_DEPS): widget/package.json widget/package-lock.json
	cd widget && $(NPM) ci --no-audit --no-fund
	touch $(CURDIR)/$@

$(STAMP_WIDGET): $(STAMP_WIDGET_DEPS) $(WIDGET_SRC)
	cd widget && $(NPM) run --silent build
	touch $(CURDIR)/$@

.PHONY: widget
widget: $(STAMP_WIDGET) ## Build the chat widget (npm ci + esbuild) into widget/dist

# --- Staff lookup service (docs/staff.md): STAFF_PORT (8080), RASA_URL; behind HTTPS set
# STAFF_COOKIE_SECURE=always, or STAFF_TRUST_PROXY=1 when a proxy you control sets X-Forwarded-*.

# --- Browser tests use Debian's chromium; Playwright never downloads a browser here.
export CHROMIUM ?= /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

NOTICES := $(wildcard policies/notices/*.yml)
TRAIN_INPUTS := config.yml $(filter-out domain/generated_facts.yml,$(wildcard domain/*.yml)) $(filter-out data/nlu/generated.yml,$(wildcard data/*/*.yml)) \
	$(wildcard bot/plugins/nlu/*.py) $(STAMP_RES)

.DEFAULT_GOAL := help
.PHONY: help setup browser services run shell staff staff-admin test lint format pytest test-fast check-notices validate constraints clean

help: ## Show this help
	@echo "职称评审助手 — targets:"
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | grep -v '^help:' | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP_VENV): requirements.txt constraints.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found (pyenv install 3.10)"; exit 1; }
	$(PYTHON310) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade "pip==24.0"
	$(VENV)/bin/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(STAMP_RES): $(NOTICES) policies/vocabulary.yml policies/schema.py policies/text.py policies/places.py bot/plugins/nlu/resources.py \
		policies/eligibility/facts.yml $(wildcard policies/eligibility/facts.d/*.yml) | $(STAMP_VENV)
	$(PY) -m bot.plugins.nlu.resources
	touch $@

$(MODEL): $(TRAIN_INPUTS) | $(STAMP_VENV)
	mkdir -p models var
	$(RASA) train --config config.yml --domain domain --data data --out models \
		--fixed-model-name assistant --num-threads 2
	touch $@

setup: $(STAMP_VENV) $(STAMP_RES) $(MODEL) $(STAMP_WIDGET) ## Create the venv, build the widget and the NLU resources, train the model (only what changed)
	mkdir -p var

# Debian's chromium and CJK fonts for the browser tests (root, or sudo without a password).
$(STAMP_BROWSER):
	mkdir -p build
	if ! command -v "$(CHROMIUM)" >/dev/null || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
	  SUDO=$$( [ "$$(id -u)" = 0 ] && echo "" || echo "sudo -n" )
	  $$SUDO apt-get update -qq
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
	fi
	"$(CHROMIUM)" --version
	touch $@

browser: $(STAMP_BROWSER) ## Install Debian's chromium for the browser tests (if missing)

# Debian's PostgreSQL and Redis: the tests start throwaway instances of their own
# (tests/services.py); nothing is left running.
$(STAMP_SERVICES):
	mkdir -p build
	if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null; then
	  SUDO=$$( [ "$$(id -u)" = 0 ] && echo "" || echo "sudo -n" )
	  $$SUDO apt-get update -qq
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends postgresql redis-server >/dev/null
	fi
	ls /usr/lib/postgresql/*/bin/initdb
	redis-server --version
	touch $@

services: $(STAMP_SERVICES) ## Install Debian's PostgreSQL and Redis servers (if missing)

run: setup ## Start the action server (5055, loopback), Rasa (5005: REST, web widget, WeChat; API with a token) and the staff lookup (8080, loopback) on SQLite
	trap 'kill 0' EXIT INT TERM
	$(SECRETS)
	$(PY) -m bot.storage.migrate upgrade
	$(PY) -m bot.plugins.action_server &
	$(PY) -m bot.staff serve &
	# bot.plugins.rasa_main = the rasa CLI with the per-turn performance patches (docs/performance.md)
	eval "$(PY) -m bot.plugins.rasa_main run --model $(MODEL) --endpoints endpoints.yml --credentials credentials.yml $$($(PY) -m bot.settings rasa-args)"

shell: setup ## Chat in the terminal (starts the action server too)
	trap 'kill 0' EXIT INT TERM
	$(SECRETS)
	$(PY) -m bot.storage.migrate upgrade
	$(PY) -m bot.plugins.action_server > var/actions.log 2>&1 &
	$(RASA) shell --model $(MODEL) --endpoints endpoints.yml

staff: $(STAMP_VENV) ## Start only the staff lookup service (8080, loopback); create an account first with make staff-admin
	mkdir -p var
	$(SECRETS)
	$(PY) -m bot.staff serve

staff-admin: $(STAMP_VENV) ## Create a staff admin account (asks, or STAFF_ADMIN_USER / STAFF_ADMIN_PASSWORD)
	mkdir -p var
	$(PY) -m bot.staff create-admin

# The model trains in the background while the house rules are checked, the widget is built, the
# browser and servers are installed and the tests that need no model run (at the lowest priority: the training is the longer path). Then the tests that
# need it, in two pytest runs side by side: the ones on the 2022 servers (widget in chromium, WeChat,
# assessment dialogues; MODEL_TESTS_2022) and all the others. They spend a third of their time
# waiting on servers and browsers, so together they take little more than the longer one alone.
# Three pytest runs, one exit status; the side run's output is printed when it ends.
MODEL_TESTS_2022 := tests/channels/webchat/test_widget_browser.py tests/channels/wechat/test_wechat_e2e.py \
	tests/e2e/test_assessment_e2e.py
test: $(STAMP_VENV) $(STAMP_RES) ## Run every test (make lint first, beside the training): notices, actions, NLU, end to end, channels, staff, browsers, PostgreSQL/Redis
	mkdir -p build var
	$(MAKE) --no-print-directory $(MODEL) > build/train.log 2>&1 & train=$$!
	if ! $(MAKE) --no-print-directory lint; then wait $$train; echo "make lint failed"; exit 1; fi
	$(MAKE) --no-print-directory $(STAMP_WIDGET) $(STAMP_BROWSER) $(STAMP_SERVICES)
	status=0
	nice -n 19 $(PY) -m pytest -m "not model and not soak and not k8s" || status=$$?
	if ! wait $$train; then tail -n 40 build/train.log; echo "training failed (build/train.log)"; exit 1; fi
	$(PY) -m pytest -p no:cacheprovider -m "model and not soak" $(MODEL_TESTS_2022) > build/test-2022.log 2>&1 & side=$$!
	$(PY) -m pytest -m "model and not soak" $(addprefix --ignore=,$(MODEL_TESTS_2022)) || status=$$?
	wait $$side || status=$$?
	echo "--- the tests on the 2022 servers (run beside the others; build/test-2022.log) ---"
	cat build/test-2022.log
	exit $$status

lint: $(STAMP_VENV) ## The house rules: ruff (lint + format), mypy (strict on policies/, bot/, actions/), the layering and import-cycle test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy policies bot actions
	$(PY) -m pytest -q -p no:cacheprovider --no-header --durations=0 tests/test_layering.py

format: $(STAMP_VENV) ## Apply ruff's safe fixes and format the tree
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

pytest: ## Run pytest with this Makefile's environment and no setup, e.g. make pytest P="tests/bot -x"
	$(PY) -m pytest $(P)

test-fast: $(STAMP_RES) ## Only the tests that need no trained model
	$(PY) -m pytest -m "not model and not k8s"

.PHONY: answer-quality transcripts
answer-quality: setup ## Held-out questions through the real servers: on-point rate, out of scope, false "not stated", reply length
	$(PY) -m benchmarks.answer_quality

transcripts: setup ## Rewrite docs/transcript-answers.md (30 questions through the real servers)
	$(PY) scripts/answer_transcripts.py

.PHONY: wechat-menu
wechat-menu: $(STAMP_VENV) ## Install the WeChat official account's menu (needs WECHAT_APP_ID, WECHAT_APP_SECRET)
	$(PY) -m bot.plugins.wechat.menu

check-notices: $(STAMP_VENV) ## Validate every notice file
	$(PY) -m policies.validate

validate: $(STAMP_RES) ## rasa data validate --fail-on-warnings
	$(RASA) data validate --config config.yml --domain domain --data data --fail-on-warnings

constraints: $(STAMP_VENV) ## Re-pin every package from the working venv into constraints.txt
	{ echo "# Full pin of every package, generated by 'make constraints' from a working venv. Python 3.10."; \
	  $(VENV)/bin/pip freeze | grep -vE '^(-e|pip==|setuptools==|wheel==)'; } > constraints.txt

clean: ## Remove the venv, generated resources, models and local databases
	rm -rf $(VENV) build models var results data/nlu/generated.yml domain/generated_facts.yml .pytest_cache \
		widget/node_modules widget/dist

.PHONY: bench-turns bench
bench-turns: setup ## Per-turn cost side by side: this project vs a bare default-recipe Rasa bot (ratios; docs/performance.md)
	$(PY) -m benchmarks.turn_cost $(ARGS)

# ARGS="--quick" for a quick look (10-15 min), "--train" to first time a training of the project's model.
bench: setup ## Side by side: bare Rasa and this project on SQLite; REST + WeChat mix; ratios (docs/performance.md; the pods: make bench-pods)
	$(PY) -m benchmarks.bench $(ARGS)

# --- The production profile on one machine (docs/deployment.md, "One machine"): the Kubernetes
# manifests (deploy/k8s/overlays/local) under podman, the front door published on
# PROD_LISTEN:PROD_PORT (127.0.0.1:8000) in front of PROD_SERVERS (2) Rasa pods, the action server,
# PostgreSQL (its data in a podman volume) and Redis. Podman restarts a container that crashes.
.PHONY: run-prod stop
PROD_LISTEN ?= 127.0.0.1
PROD_PORT ?= 8000
PROD_SERVERS ?= 2
run-prod: images ## Start the production profile in the background: the manifests under podman, front door on 127.0.0.1:8000, 2 Rasa pods, PostgreSQL, Redis
	$(PY) -m bot.deploy.kube up --publish $(PROD_LISTEN):$(PROD_PORT) --rasa $(PROD_SERVERS)

stop: $(STAMP_K8S) ## Stop everything make run-prod started (the database volume is kept)
	$(PY) -m bot.deploy.kube down

# --- The project's schema and data retention (bot/storage/migrate.py, bot/storage/purge.py, docs/retention.md).
# Services migrate the project database by themselves on start; these do it by hand.
.PHONY: migrate purge
migrate: $(STAMP_VENV) ## Bring the project database (ZHICHENG_DATABASE_URL) to the newest schema (Alembic)
	mkdir -p var
	$(PY) -m bot.storage.migrate upgrade

purge: $(STAMP_VENV) ## Delete conversations, inbox rows and assessment facts older than ZHICHENG_RETENTION_DAYS (ARGS=--dry-run)
	mkdir -p var
	$(PY) -m bot.storage.purge $(ARGS)

# --- Long floods and the documentation's screenshots, outside make test.
.PHONY: soak screenshots
soak: setup ## The long floods (pytest marker soak): all 10,000 hostile messages through Rasa's HTTP API
	$(PY) -m pytest -m soak $(P)

screenshots: setup $(STAMP_BROWSER) ## Rewrite the screenshots in docs/ (widget, staff pages, dashboard) from the browser tests
	$(PY) scripts/screenshots.py

# --- Containers and Kubernetes (bot/deploy/images.py, bot/deploy/kube.py, deploy/, docs/deployment.md).
# Debian's podman (with runc: Debian's crun refuses this kernel's hybrid cgroups), debootstrap for the
# base image, kubectl for kustomize (Debian's kubernetes-client when none is installed). podman reads
# the project's containers.conf: the default ulimits ask for more open files than a sandbox may allow.
STAMP_K8S := build/.k8s-tools
export CONTAINERS_CONF := $(CURDIR)/build/k8s/containers.conf
$(STAMP_K8S):
	mkdir -p build/k8s
	SUDO=$$( [ "$$(id -u)" = 0 ] && echo "" || echo "sudo -n" )
	missing=""
	for tool in podman runc debootstrap; do command -v $$tool >/dev/null || missing="$$missing $$tool"; done
	[ -x /usr/lib/podman/netavark ] && [ -x /usr/lib/podman/aardvark-dns ] || missing="$$missing netavark aardvark-dns"
	command -v kubectl >/dev/null || missing="$$missing kubernetes-client"
	PATH="$$PATH:/usr/sbin" command -v iptables >/dev/null || missing="$$missing iptables"  # netavark's firewall driver
	if [ -n "$$missing" ]; then
	  $$SUDO apt-get update -qq
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null
	fi
	nofile=$$(ulimit -Hn); [ "$$nofile" = unlimited ] && nofile=65536; [ "$$nofile" -gt 65536 ] && nofile=65536
	printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n[network]\nnetwork_backend = "netavark"\n' \
	  "$$nofile" "$$nofile" > $(CONTAINERS_CONF)
	# sed reads to the end: head would close the pipe early and, under pipefail, a tool that still
	# writes dies of SIGPIPE (a kubectl that prints more than one line did, exit 141)
	podman --version && runc --version | sed -n 1p && kubectl version --client 2>/dev/null | sed -n 1p
	touch $@

.PHONY: images test-k8s k8s-up k8s-down bench-pods
images: setup $(STAMP_K8S) ## Build the container images from the repository alone (debootstrap base, no registry; docs/deployment.md)
	$(PY) -m bot.deploy.images build

test-k8s: images ## The Kubernetes manifests under podman: play, wait for readiness, serve through the front door, kill a Rasa pod, remove all
	$(PY) -m bot.deploy.kube down --volumes >/dev/null
	status=0
	$(PY) -m pytest -p no:cacheprovider -m k8s tests/k8s $(P) || status=$$?
	[ $$status = 0 ] || for pod in $$($(PY) -m bot.deploy.kube status | awk '{print $$1}'); do
	  echo "--- $$pod"; podman pod logs --tail 15 $$pod 2>&1 | tail -n 15; done
	$(PY) -m bot.deploy.kube down --volumes
	exit $$status

k8s-up: images ## Run the manifests (deploy/k8s/overlays/local) under podman and print the front door's address
	$(PY) -m bot.deploy.kube up

bench-pods: images ## Capacity through the front door with 1 and 2 Rasa pods under podman, beside a bare Rasa bot (docs/deployment.md)
	$(PY) -m benchmarks.pod_capacity $(ARGS)

k8s-down: ## Remove every pod k8s-up started, and the database volume
	$(PY) -m bot.deploy.kube down --volumes
