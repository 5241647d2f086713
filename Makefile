# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000

.PHONY: run test check install lint format bench-load screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "The portal needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

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
