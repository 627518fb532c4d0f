# The one front door. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install clean demo worker format conformance-kit

$(STAMP): pyproject.toml requirements/lock.txt
	$(PYTHON) -c 'import sys; sys.exit("Learning City needs Python 3.11 or newer.") if sys.version_info < (3, 11) else None'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## run: set up, migrate, load the demo cities, start the web server and a worker on $(PORT)
run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py serve --port $(PORT)

## test: the whole suite (unit, integration, browser and conformance tests)
test: $(STAMP) conformance-kit
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The independent verifiers live beside the repository (../shared/conformance); install them
# into .conformance when they and npm are there. Without them the conformance tests say why
# they skip.
CONFORMANCE_SOURCE ?= ../shared/conformance
conformance-kit:
	@if [ -x "$(CONFORMANCE_SOURCE)/setup.sh" ] && command -v npm >/dev/null 2>&1; then \
		"$(CONFORMANCE_SOURCE)/setup.sh" "$(CURDIR)/.conformance" >.conformance-setup.log 2>&1 \
		|| { cat .conformance-setup.log; exit 1; }; \
	else \
		echo "conformance kit or npm not found: the conformance tests will be skipped"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy learningcity config

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP) conformance-kit
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
