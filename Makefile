# Everything a fresh machine needs: `make run` for the demo site, `make test` for the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test install migrate demo lint format clean

$(BIN)/activate: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/activate

install: $(BIN)/activate

migrate: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input

demo: migrate
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo_content
	DJANGO_DEBUG=1 $(BIN)/python manage.py create_demo_admin

# The task worker (alert emails) runs beside the web server and stops with it; emails,
# account confirmations included, are printed here on the console.
run: export MPED_SITE_URL = http://$(HOST)
run: demo
	@echo "Serving the site at http://$(HOST)/ (staff admin at http://$(HOST)/admin/)"
	DJANGO_DEBUG=1 $(BIN)/python manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache .ruff_cache
