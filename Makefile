# Huddle: `make run` serves the demo site, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The LDAP extra needs the OpenLDAP headers (apt-get install libldap2-dev libsasl2-dev); without
# them Huddle installs and runs without LDAP sign-in, and its tests say why they are skipped.
comma := ,
EXTRAS := test$(if $(wildcard /usr/include/ldap.h),$(comma)ldap)
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: run test test-fast install lint bench clean

# The virtualenv gets a current pip and setuptools: the ones venv bundles carry known advisories
# (setuptools 65.5: CVE-2022-40897, CVE-2024-6345, CVE-2025-47273).
$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Huddle needs Python 3.11 ($(PYTHON) not found; try 'make run PYTHON=/path/to/python3.11')" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=78.1.1"

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@touch $(STAMP)

install: $(STAMP)

run: export SITE_DOMAIN ?= 127.0.0.1:$(PORT)
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Huddle is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Sign in as rep, marketing or manager; the password is huddle-demo."
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The quick tier while editing: no browser, no tests that start other processes.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) .pytest_cache
