# Every set-up step lives here: a fresh clone needs only python3 (3.11+) and, for Spark, Java 17.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install report test lint lab clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[spark,test,bench]'
	$(PY) -m ipykernel install --sys-prefix --name clientlib --display-name "clientlib (Python 3)" >/dev/null
	touch $(STAMP)

install: $(STAMP)

# The main job: the default report on the embedded workshop dataset.
report: $(STAMP)
	$(VENV)/bin/clientlib segment --dataset workshop --framework all -o reports/workshop_segments.csv

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check clientlib tests benchmarks

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
