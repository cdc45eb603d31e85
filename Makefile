# Everything a fresh machine needs: `make run` for the demo site, `make test` for the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
# Settings (mped/settings/): the development ones for the demo site and the commands that prepare
# it; `make test` uses the test ones; manage.py without DJANGO_SETTINGS_MODULE uses production's.

.PHONY: run test check install lock upgrade messages migrate demo format clean bench backup restore audit vnu

# The locks, with every package's hashes: requirements.txt (what the site runs on, all that
# production installs) and requirements-dev.txt (tests and tooling). Installed again whenever
# either changes. PyICU (Khmer words for the search) is built from source against the system's
# ICU: libicu-dev, pkg-config and g++, installed here when missing and we may (root with apt-get).
$(BIN)/activate: requirements.txt requirements-dev.txt
	@pkg-config --exists icu-i18n 2>/dev/null && command -v g++ >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing ICU's development files, pkg-config and g++ (for PyICU) with apt-get"; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends \
	      libicu-dev pkg-config g++ >/dev/null; \
	  else \
	    echo "PyICU needs ICU's development files, pkg-config and a C++ compiler: install them first (apt-get install libicu-dev pkg-config g++, brew install icu4c pkg-config)."; \
	    exit 1; \
	  fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $(BIN)/activate

install: $(BIN)/activate

# The locks compiled from requirements.in and requirements-dev.in by uv, for Python 3.11 on Linux
# x86_64. After editing a .in file: `make lock` (every other pin stays). `make upgrade` moves
# every package to the newest release the .in files allow (`make upgrade PACKAGE=django`: that
# one only); then `make test`, and commit the .in and .txt files together.
LOCK = $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" $(UPGRADE)
lock: install
	$(LOCK) requirements.in -o requirements.txt
	$(LOCK) requirements-dev.in -o requirements-dev.txt

upgrade: UPGRADE = $(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade)
upgrade: lock

# The interface's translations (locale/, locale_vendor/): the .po files are committed, the
# compiled .mo files are not. compilemessages needs GNU gettext's msgfmt, installed here when
# it is missing and we may (root with apt-get).
messages: install
	@command -v msgfmt >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing GNU gettext (msgfmt) with apt-get"; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends gettext >/dev/null; \
	  else \
	    echo "msgfmt (GNU gettext) is missing: install it first (apt-get install gettext, brew install gettext)."; \
	    exit 1; \
	  fi; }
	DJANGO_SETTINGS_MODULE=mped.settings.dev $(BIN)/python manage.py compilemessages \
	  --ignore=.venv --ignore=node_modules

# make_renditions: images moved into the media library by a migration get their renditions;
# rebuild_search_words: the words "Did you mean …?" suggests, from the published text.
migrate: install
	DJANGO_SETTINGS_MODULE=mped.settings.dev $(BIN)/python manage.py migrate --no-input
	DJANGO_SETTINGS_MODULE=mped.settings.dev $(BIN)/python manage.py make_renditions
	DJANGO_SETTINGS_MODULE=mped.settings.dev $(BIN)/python manage.py rebuild_search_words

demo: migrate messages
	DJANGO_SETTINGS_MODULE=mped.settings.dev $(BIN)/python manage.py load_demo_content
	DJANGO_SETTINGS_MODULE=mped.settings.dev $(BIN)/python manage.py create_demo_admin

# The task worker (alert emails) runs beside the web server and stops with it; emails,
# account confirmations included, are printed here on the console.
run: export MPED_SITE_URL = http://$(HOST)
run: demo
	@echo "Serving the site at http://$(HOST)/ (staff admin at http://$(HOST)/admin/)"
	DJANGO_SETTINGS_MODULE=mped.settings.dev $(BIN)/python manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_SETTINGS_MODULE=mped.settings.dev $(BIN)/python manage.py runserver $(HOST)

# Lint, format and migrations in a few seconds (pre-commit runs the two ruff steps at each commit).
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=mped.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

# The Nu HTML checker for tests/test_html_validity.py, run offline by Java: its jar from npm,
# pinned in tools/vnu/package-lock.json. Without npm (or Java) that test is skipped, saying why,
# except in CI.
VNU_JAR := tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar
vnu: $(VNU_JAR)
$(VNU_JAR): tools/vnu/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tools/vnu --no-audit --no-fund --ignore-scripts && touch $@; \
	else \
	  echo "npm is missing: the HTML validity test will be skipped (install Node.js and npm)."; \
	fi

test: check messages vnu
	DJANGO_SETTINGS_MODULE=mped.settings.test $(BIN)/pytest

# Known vulnerabilities in every installed package, from PyPI's vulnerability data; --strict
# also fails when a package could not be checked.
audit: install
	$(BIN)/pip-audit --strict --progress-spinner off

# The site as in production (gunicorn, PostgreSQL, Redis) under load from wrk: see docs/performance.md.
# `make bench ITEMS=100000` (about 1,000 news items by default); BENCH_FLAGS=--rebuild builds the
# data set again, --build-only stops after building it.
bench: install
	$(BIN)/python tools/bench.py $(if $(ITEMS),--items $(ITEMS)) $(BENCH_FLAGS)

# Backups of a running site, with its environment (DATABASE_URL, storage…;
# DJANGO_SETTINGS_MODULE=mped.settings.dev for a development database): no `install` first, so a
# backup never changes the installed packages.
BACKUP_DIR ?= backups
backup:
	$(BIN)/python manage.py backup --output-dir $(BACKUP_DIR)

# make restore ARCHIVE=backups/mped-….tar.gz [RESTORE_FLAGS=--flush]
restore:
	@test -n "$(ARCHIVE)" || { echo "Usage: make restore ARCHIVE=backups/mped-YYYYmmdd-HHMMSS.tar.gz"; exit 2; }
	$(BIN)/python manage.py restore $(RESTORE_FLAGS) "$(ARCHIVE)"

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm media staticfiles .pytest_cache .ruff_cache
	rm -f locale/*/LC_MESSAGES/*.mo locale_vendor/*/LC_MESSAGES/*.mo
