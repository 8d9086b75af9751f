# Every set-up step lives here: a fresh clone needs only python3 (3.11+) and, for Spark, Java 17.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The executed lessons (built by `make notebooks` from notebooks/src) are compared cell by cell.
NBVAL  := $(if $(wildcard notebooks/en/*.ipynb notebooks/ru/*.ipynb),notebooks/en notebooks/ru --nbval --nbval-current-env --nbval-cell-timeout=600 --nbval-sanitize-with notebooks/nbval_sanitize.cfg)
# `make notebooks LESSON=02` rebuilds one lesson (both languages); empty = all of them.
LESSON ?=
# JupyterLab refuses to start as root (containers) unless told to.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: install browser report test lint lab clean bench notebooks site wheelhouse printables postgres \
	lock bench-models peers

# Exactly the versions of requirements.lock (`make lock`), then clientlib itself without
# dependencies; packages the lock does not name are removed (tools/lock.py prune), so
# `pip freeze` equals the lock (tests/test_packaging.py checks it when run from here).
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) tools/lock.py prune
	$(PY) -m ipykernel install --sys-prefix --name clientlib --display-name "clientlib (Python 3)" >/dev/null
	touch $(STAMP)

install: $(STAMP)

# The main job: the default report on the embedded workshop dataset.
report: $(STAMP)
	$(VENV)/bin/clientlib report --dataset workshop -o reports/workshop.html

# Debian's Chromium for the rendered-HTML test (root installs it; otherwise that test skips).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed and this is not root: the browser test will skip"; fi; }

# Debian's PostgreSQL for the database tests (tests/_postgres.py starts a throw-away cluster on a
# loopback port as the package's `postgres` user): root installs it; otherwise those tests skip.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "PostgreSQL (initdb) is not installed and this is not root: the database tests will skip"; fi; }

test: $(STAMP) browser postgres
	$(VENV)/bin/ruff check clientlib tests benchmarks tools
	$(VENV)/bin/mypy
	CLIENTLIB_LOCKED_VENV=$(abspath $(VENV)) $(PY) -m pytest -q --doctest-modules clientlib tests $(NBVAL)

lint: $(STAMP)
	$(VENV)/bin/ruff check clientlib tests benchmarks tools
	$(VENV)/bin/mypy

# Regenerates the results table in benchmarks/README.md (machine, load, date, commit included):
# RFM summary at 1M lines, every tool in its own process, 5 interleaved rounds. BENCH_N=10000000
# for the 10M table. Never a timed assertion in the tests.
BENCH_N ?= 1000000
bench: $(STAMP)
	$(PY) benchmarks/bench_facts.py --n $(BENCH_N) --rounds 5 --readme benchmarks/README.md
# The course site (lessons in both languages, framework pages, API reference): build/site/.
# Offline: nothing is fetched at build time and the pages load nothing from the network.
site: $(STAMP)
	$(PY) docs/site/build.py --out build/site

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(LAB_ROOT) notebooks

# Both languages of every lesson from notebooks/src/*.py, executed (see notebooks/README.md).
notebooks: $(STAMP)
	$(PY) notebooks/build.py $(LESSON)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache

# The participants' offline bundle (docs/install.md): build/wheelhouse/ with clientlib's wheel and
# every wheel of clientlib[lesson] for Linux, macOS (Intel, Apple silicon) and Windows, Python
# 3.11 and 3.12, the same versions everywhere (requirements-lesson.txt), and a README (en, ru).
# WHEELHOUSE_ARGS="--platform win_amd64 --python 3.11" builds one target.
WHEELHOUSE_ARGS ?=
wheelhouse: $(STAMP)
	$(PY) tools/wheelhouse.py --out build/wheelhouse $(WHEELHOUSE_ARGS)

# The trainer's printables: a one-page cheat-sheet per framework and a handout per lesson, in
# both languages, as HTML (print CSS, A4) and PDF (headless Chromium; skipped with a message
# when it is absent): build/printables/{en,ru}/.
printables: $(STAMP)
	$(VENV)/bin/clientlib printables -o build/printables --pdf

# requirements.lock from pyproject.toml: every extra the install step uses, for Linux and Python
# 3.11 (what CI runs). Versions already in the lock are kept; a new dependency in pyproject.toml
# is added at its newest compatible version. `make lock UPGRADE=1` moves every pin to the newest.
# uv (pinned) lives in its own small venv under build/, not in the project's venv.
LOCK_EXTRAS := spark postgres test bench docs lab lesson
UV_VERSION  := 0.13.10
UV          := build/uv-venv/bin/uv
UPGRADE     ?=
$(UV):
	$(PYTHON) -m venv build/uv-venv
	build/uv-venv/bin/python -m pip install --quiet "uv==$(UV_VERSION)"
lock: $(UV)
	$(UV) pip compile pyproject.toml $(addprefix --extra ,$(LOCK_EXTRAS)) --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu $(if $(UPGRADE),--upgrade) --quiet \
	  --custom-compile-command "make lock" -o requirements.lock

# The models' fits at 1M customers against lifetimes (this venv) and pymc-marketing MAP (its own
# Python 3.12 venv, build/peers-venv, made by `make peers`; left out with a note when absent).
# Each fit in its own process, interleaved rounds; writes the table into benchmarks/README.md.
BENCH_MODELS_ARGS ?= --n 1000000 --rounds 5
peers:
	benchmarks/peers.sh
bench-models: $(STAMP)
	$(PY) benchmarks/bench_models.py $(BENCH_MODELS_ARGS) --readme benchmarks/README.md
