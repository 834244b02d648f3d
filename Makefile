# Two commands a person needs: `make lab` and `make test` (see README.md).
# Both work from a bare machine with only python3: they create .venv, put uv in it
# (it installs 5-10x faster than pip) and install the project with the right extras.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
PORT   ?= 8888

.PHONY: lab app test bench clean strip

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(UV) pip install --quiet --python $(BIN)/python -e ".[$*]"
	rm -f $(VENV)/.installed-*
	touch $@

lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) notebooks/00-start-here.ipynb

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
