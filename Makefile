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

# Notebook extra keys nbstripout drops on top of outputs, counts and widget state: what a kernel
# writes into language_info when it runs, so running a notebook leaves `git status` clean.
NB_EXTRA_KEYS := metadata.language_info.codemirror_mode metadata.language_info.file_extension \
	metadata.language_info.mimetype metadata.language_info.nbconvert_exporter \
	metadata.language_info.pygments_lexer metadata.language_info.version

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(UV) pip install --quiet --python $(BIN)/python -e ".[$*]"
	rm -f $(VENV)/.installed-*
	touch $@

# nbstripout as this checkout's git filter (.gitattributes names it): notebooks saved with outputs
# or widget state (JupyterLab autosaves) are stripped when git reads them. Outside a checkout: nothing.
define git_filter
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
		$(BIN)/nbstripout --install --attributes .gitattributes && \
		git config filter.nbstripout.extrakeys "$(NB_EXTRA_KEYS)"; \
	fi
endef

# etc/jupyter holds the server settings that strip the notebooks of notebooks/ as they are saved
# (JupyterLab autosaves), so running them leaves `git status` clean.
lab: $(VENV)/.installed-lab
	$(git_filter)
	JUPYTER_CONFIG_PATH=$(CURDIR)/etc/jupyter$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH} \
		$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) $(AS_ROOT) notebooks/00-start-here.ipynb

# The notebooks as an app (code hidden), opening on the start notebook; serving the folder lets
# the links between notebooks work (/voila/render/<name>). Voila serves without authentication unless
# given a token, so one is always set; open the printed URL. The token goes to Voila through
# JUPYTER_TOKEN (jupyter_server's identity provider reads it), never on its command line, where
# `ps` would show it to every user of the machine.
app: $(VENV)/.installed-app
	@token=$${APP_TOKEN:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(16))')}; \
	echo "Open http://127.0.0.1:$(APP_PORT)/voila/render/00-start-here.ipynb?token=$$token"; \
	JUPYTER_TOKEN=$$token exec $(BIN)/voila notebooks --no-browser \
		--Voila.ip=127.0.0.1 --port=$(APP_PORT) --Voila.port_retries=0 --Voila.auto_token=True

test: $(VENV)/.installed-test
	$(git_filter)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Speed ratios measured in one run on this machine (see BENCHMARKS.md); not part of make test.
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache
