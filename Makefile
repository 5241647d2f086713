# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000

.PHONY: run test check install theme lint format bench-load screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "The portal needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) theme

# The public and staff theme: Bootstrap 5.3's Sass sources with MARC's colours, compiled by
# Dart Sass (both from npm, see package.json). static/css/theme.css is committed, so a machine
# without Node keeps the committed file and still runs; edit static/scss/ only where Node is.
SASS_FLAGS := --load-path=node_modules --no-source-map --style=compressed --quiet-deps \
	--silence-deprecation=import

theme:
	@if ! command -v npm >/dev/null; then \
		echo "Node is not installed: keeping the committed static/css/theme.css."; \
	elif ! npm install --silent --no-audit --no-fund; then \
		echo "npm could not install the Sass sources: keeping the committed static/css/theme.css."; \
	else node_modules/.bin/sass $(SASS_FLAGS) static/scss/theme.scss static/css/theme.css; fi

run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_training_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_peersupport_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_coresponder_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# In parallel, one process per core; pytest-django gives each its own test database.
PYTEST_ARGS ?= -n auto

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# What CI runs before the tests (.ci/run): lint, formatting, migrations in step with the
# models, the import contracts of pyproject.toml, and Django's deployment checks with
# production settings (debug off, a throwaway SECRET_KEY).
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	env -u DJANGO_DEBUG DJANGO_SETTINGS_MODULE=marc_safety.settings \
		SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-load: install
	$(BIN)/python bench/load.py

# Pictures of the public pages at phone and desktop widths, into docs/screenshots/.
screenshots: install
	$(BIN)/python bench/screenshots.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
