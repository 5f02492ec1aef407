# One command to set up and try it, one to test it.
#   make demo   - create .venv, install, run the demo in a temporary folder
#   make test   - create .venv, install with test tools, run the tests
# Set REVIEW_CLERK_TEST_DATABASE_URL=postgresql://... to run the tests on PostgreSQL.

PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test install bench clean

$(BIN)/review-clerk: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The package is installed editable, so pip compiles none of its modules; where PYTHONDONTWRITEBYTECODE
# is set (the Docker image, many CI machines) every command would compile all of them as it starts
# (a quarter of a second). compileall writes what is missing or stale and is quick when nothing is.
install: $(BIN)/review-clerk
	$(BIN)/python -m compileall -q -j 0 service

demo: install
	$(BIN)/review-clerk demo

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/sweep.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
