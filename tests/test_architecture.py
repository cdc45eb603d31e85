"""The allowed imports between our apps (docs/architecture.md, "Allowed imports"): the core
imports no app, and the arrows between the apps point one way.

Every .py file of our apps and of the project (migrations aside) is parsed, and each import of
another of them is checked against ALLOWED. A new app must be given its place in the table."""

import ast
import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent

CONTENT = {"news", "pages", "partners", "accounts"}
# What each app may import, from the bottom up. Content apps register what they contribute
# (the page cache's models, the dashboard's) in their AppConfig.ready() instead of being
# imported by the core or by editorial, whose publishing admin their admins build on.
ALLOWED = {
    "core": set(),
    "files": {"core"},
    "editorial": {"core", "files"},
    "library": {"core", "files", "editorial"},
    "redirects": {"core"},
    "pages": {"core", "files", "editorial", "library"},
    "partners": {"core", "files", "editorial", "library"},
    "accounts": {"core", "files", "partners"},
    "news": {"core", "files", "editorial", "library", "pages", "partners", "accounts"},
    "search": {"core", "files", "editorial", "library", *CONTENT},
    "reviews": {"core", "files", "editorial", "library", *CONTENT},
}
BELOW = {*ALLOWED, *set().union(*ALLOWED.values())}
ALLOWED |= {"website": BELOW, "ops": BELOW}
# The project: settings, URLs, WSGI and ASGI compose every app.
ALLOWED["mped"] = set(ALLOWED)


def our_apps():
    """Our apps (a folder with an apps.py) and the project."""
    return {path.parent.name for path in BASE.glob("*/apps.py")} | {"mped"}


def imported_apps(source, filename="<snippet>"):
    """(line, app) for each absolute import of one of our apps in Python source."""
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module]
        else:
            # A relative import stays in its own app.
            continue
        for name in names:
            top = name.partition(".")[0]
            if top in ALLOWED:
                yield node.lineno, top


def forbidden_imports(app, source, filename="<snippet>"):
    """What `app`'s code (`source`) imports that the table does not allow it."""
    return [
        f"{filename}:{line}: {app} imports {other}"
        for line, other in imported_apps(source, filename)
        if other != app and other not in ALLOWED[app]
    ]


def code_files(app):
    for path in sorted((BASE / app).rglob("*.py")):
        if "migrations" not in path.relative_to(BASE).parts:
            yield path


def test_every_app_has_its_place_in_the_table():
    assert our_apps() == set(ALLOWED)


def test_the_core_imports_no_app_and_the_arrows_point_one_way():
    assert ALLOWED["core"] == set()
    assert all(allowed <= set(ALLOWED) for allowed in ALLOWED.values())
    try:
        list(TopologicalSorter(ALLOWED).static_order())
    except CycleError as error:
        raise AssertionError(f"the allowed imports go round in a circle: {error.args[1]}") from None


def test_no_app_imports_an_app_it_may_not():
    found = []
    for app in sorted(ALLOWED):
        for path in code_files(app):
            found += forbidden_imports(app, path.read_text(), str(path.relative_to(BASE)))
    assert found == [], (
        "an app imports one it may not (tests/test_architecture.py, docs/architecture.md): "
        "register what the lower app needs in the higher app's AppConfig.ready() instead"
    )


def test_the_check_reports_an_app_imported_from_the_core():
    source = "from news.models import NewsItem\n\n\ndef later():\n    import pages.views\n"
    assert forbidden_imports("core", source) == [
        "<snippet>:1: core imports news",
        "<snippet>:5: core imports pages",
    ]


def test_the_check_lets_an_app_import_itself_what_it_may_and_other_libraries():
    source = (
        "from django.db import models\n"
        "from core.cache import cache_public_page\n"
        "from news.models import NewsItem\n"
        "from .models import Municipality\n"
        "import newsletter\n"
    )
    assert forbidden_imports("news", source) == []
    assert forbidden_imports("partners", source) == ["<snippet>:3: partners imports news"]


def documented_table():
    """The "Allowed imports" table of docs/architecture.md: {app: the apps it may import}."""
    text = (BASE / "docs" / "architecture.md").read_text()
    section = text.split("## Allowed imports", 1)[1].split("\n## ", 1)[0]
    table = {}
    for row in re.findall(r"^\|(.+)\|(.+)\|$", section, re.M):
        apps = re.findall(r"`(\w+)`", row[0])
        allowed = set(re.findall(r"`(\w+)`", row[1]))
        if "any app" in row[1]:
            allowed = set(ALLOWED) - set(apps)
        table.update(dict.fromkeys(apps, allowed))
    return table


def test_docs_draw_the_same_table():
    assert documented_table() == {app: allowed - {app} for app, allowed in ALLOWED.items()}
