# Unstable Gradients: the two commands are `make lab` and `make test`.
# Both set up .venv (only what changed), make sure Fashion-MNIST is available,
# then open the course or run the whole test suite in quick mode.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB_ARGS ?=
# Jupyter refuses to run as root (containers, CI) unless told that it is meant.
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)
PYTEST_ARGS ?=
# `make test` runs the suite on two pytest-xdist workers (the course's 2-core CPU).
# --dist loadfile keeps each file on one worker: a notebook's cells run in order in
# one kernel. PYTEST_WORKERS=0 runs it in one process. Set here, not in pyproject's
# addopts, so a plain `pytest PATH` (one notebook, ../shared/tools/seed-sweep) stays serial.
PYTEST_WORKERS ?= 2

.PHONY: setup data lab test student colab nbgrader-metadata instructor nbgrader-course test-nbgrader test-colab reproduce results-table capstone-seeds clean

setup: $(STAMP) data

# A Python 3.11 virtual environment at $@'s directory (.venv, .venv-instructor).
define python311_venv
	@test -n "$(PYTHON)" || { echo "error: no python3.11 or python3 on PATH; install Python 3.11" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
	  { echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); the course needs 3.11 (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
	$(PYTHON) -m venv $(dir $(@D))
endef

$(BIN)/python:
	$(python311_venv)

# Reinstalled only when the pins or the package metadata change.
$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

data: $(STAMP)
	@$(BIN)/python -m helpers.data

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: setup
	GRADIENTS_QUICK=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Execute notebooks in full mode, in place, and write reports/results.json and
# README's results table: `make reproduce`, or `make reproduce NOTEBOOK=03`.
NOTEBOOK ?=
reproduce: setup
	$(BIN)/python tools/reproduce.py $(NOTEBOOK)

results-table: $(STAMP)
	$(BIN)/python tools/reproduce.py --table-only

# Notebook 12's final recipe on more seeds (default 1 and 2; the notebook runs its own, 42),
# each executed in full mode, outputs not saved: reports/capstone-seeds.json, which the
# notebook reads. Run it before `make reproduce NOTEBOOK=12` whenever the recipe changes.
# `make capstone-seeds SEEDS="3 4"` for other seeds; CAPSTONE_ARGS=--quick for a smoke test.
SEEDS ?=
CAPSTONE_ARGS ?=
capstone-seeds: setup
	$(BIN)/python tools/capstone_seeds.py $(CAPSTONE_ARGS) $(SEEDS)

# Student versions (solutions stubbed, outputs cleared) in build/student/.
student: $(STAMP)
	$(BIN)/python tools/student_versions.py --out build/student

# Regenerate every notebook's Colab badge and bootstrap cell from pyproject.toml
# (and the oldest versions it accepts from requirements-colab.txt).
colab: $(STAMP)
	$(BIN)/python tools/colab.py

# Regenerate nbgrader's cell metadata from the 'solution' and 'check' tags.
nbgrader-metadata: $(STAMP)
	$(BIN)/python tools/nbgrader_metadata.py

# Instructors: nbgrader in its own environment, .venv-instructor (the course's pins plus
# nbgrader; its JupyterLab extensions stay out of the learner's .venv).
IVENV := .venv-instructor
ISTAMP := $(IVENV)/.installed
COURSE ?=
FORCE ?=

$(IVENV)/bin/python:
	$(python311_venv)

$(ISTAMP): requirements.txt requirements-instructor.txt pyproject.toml | $(IVENV)/bin/python
	$(IVENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-instructor.txt
	$(IVENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

instructor: $(ISTAMP)
	@$(IVENV)/bin/python -m helpers.data

# An nbgrader course directory with every notebook as an assignment, released:
# `make nbgrader-course COURSE=~/courses/gradients` (FORCE=1 replaces edited source notebooks).
nbgrader-course: instructor
	@test -n "$(COURSE)" || { echo "error: say where the course directory goes: make nbgrader-course COURSE=~/courses/gradients" >&2; exit 1; }
	$(IVENV)/bin/python tools/nbgrader_course.py "$(COURSE)" $(if $(FORCE),--force)

# The instructor's path, headless: release, autograde one student's whole course, feedback.
test-nbgrader: instructor
	GRADIENTS_REQUIRE_NBGRADER=1 $(IVENV)/bin/python -m pytest -p no:cacheprovider -s $(PYTEST_ARGS) tests/instructor

# Colab's own stack (Python 3.13 and the versions in requirements-colab.txt) in .venv-colab:
# the helpers package installed as the Colab bootstrap installs it (no dependencies),
# then every notebook in quick mode.
COLAB_PYTHON ?= $(firstword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.13*/bin/python) $(shell command -v python3.13))
CVENV := .venv-colab
CSTAMP := $(CVENV)/.installed

$(CVENV)/bin/python:
	@test -n "$(COLAB_PYTHON)" || { echo "error: no Python 3.13 found (Colab's); install it or set COLAB_PYTHON=/path/to/python3.13" >&2; exit 1; }
	@$(COLAB_PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else 1)' || \
	  { echo "error: $(COLAB_PYTHON) is not Python 3.13, Colab's (set COLAB_PYTHON=/path/to/python3.13)" >&2; exit 1; }
	$(COLAB_PYTHON) -m venv $(CVENV)

$(CSTAMP): requirements-colab.txt | $(CVENV)/bin/python
	$(CVENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-colab.txt
	@touch $@

test-colab: $(CSTAMP) setup
	$(CVENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall .
	@rm -rf build/lib build/bdist.*
	GRADIENTS_QUICK=1 $(CVENV)/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS) notebooks

clean:
	rm -rf $(VENV) $(IVENV) $(CVENV) build .pytest_cache
