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

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check mediane tests bench
	$(BIN)/ruff format --check mediane tests bench
	$(BIN)/mypy mediane

messages: install
	cd mediane && ../$(BIN)/mediane makemessages -l en --no-obsolete && ../$(BIN)/python ../mediane/core/i18n_compile.py

bench: install
	$(BIN)/python bench/run_all.py

clean-demo:
	rm -f var/mediane.sqlite3 var/mediane.sqlite3-wal var/mediane.sqlite3-shm
