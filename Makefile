# Two commands a person needs: `make lab` and `make test` (see README.md).
# Both work from a bare machine with only python3: they create .venv, put uv in it
# (it installs 5-10x faster than pip) and install the project with the right extras.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
PORT   ?= 8888

APP_PORT  ?= 8866
# Jupyter refuses to run as root unless told; containers and CI often are root.
AS_ROOT   := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab app test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(UV) pip install --quiet --python $(BIN)/python -e ".[$*]"
	rm -f $(VENV)/.installed-*
	touch $@

lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) $(AS_ROOT) notebooks/00-start-here.ipynb

# The start notebook as an app (code hidden). Voila serves without authentication unless
# given a token, so one is always set; open the printed URL.
app: $(VENV)/.installed-app
	@token=$${APP_TOKEN:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(16))')}; \
	echo "Open http://127.0.0.1:$(APP_PORT)/?token=$$token"; \
	exec $(BIN)/voila notebooks/00-start-here.ipynb --no-browser --Voila.ip=127.0.0.1 \
		--port=$(APP_PORT) --Voila.port_retries=0 --token=$$token

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Speed ratios measured in one run on this machine (see BENCHMARKS.md); not part of make test.
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache
