# Médiane — the two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: demo test lint install serve worker bench clean-demo messages

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Médiane needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs the pinned versions (constraints.txt) once; reinstalls when the pins change.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/mediane demo
	$(BIN)/mediane serve --port $(PORT)

serve: install
	$(BIN)/mediane serve --port $(PORT)

worker: install
	$(BIN)/mediane worker

# The whole suite, browser tests included (they need Chromium; see .ci/run). Pytest's exit code 5
# ("no tests collected") is an error for the whole suite, but not when PYTEST_ARGS selects a subset.
# TEST_WORKERS: pytest-xdist processes (default: one per core; 0 runs the suite in this process).
# Tests are handed out in pytest-django's order (--dist load): in each process the tests that
# empty the database (transactional ones) run after the others, as they do in one process.
# Bytecode is written even when the environment says not to (PYTHONDONTWRITEBYTECODE): without the
# cached, assertion-rewritten test modules every pytest process and every server the tests start
# compiles everything again (collection alone takes twice as long).
TEST_WORKERS ?= auto
test: install
	@status=0; env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ] && [ -n "$(PYTEST_ARGS)" ]; then \
	  echo "make test: no test matches PYTEST_ARGS=$(PYTEST_ARGS)"; exit 0; fi; \
	exit $$status

# Runs every linter even when one fails, then fails if any did.
lint: install
	@status=0; \
	$(BIN)/ruff check mediane tests bench || status=1; \
	$(BIN)/ruff format --check mediane tests bench || status=1; \
	$(BIN)/mypy mediane || status=1; \
	exit $$status

messages: install
	cd mediane && ../$(BIN)/mediane makemessages -l en --no-obsolete && ../$(BIN)/python ../mediane/core/i18n_compile.py

# Benchmarks print figures (see docs/benchmarks.md); N organisations, default 200000.
bench: install
	$(BIN)/python bench/run_all.py $(if $(N),--count $(N))

clean-demo:
	rm -f var/mediane.sqlite3 var/mediane.sqlite3-wal var/mediane.sqlite3-shm
