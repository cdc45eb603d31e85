"""The documentation stays true to the code: every environment variable the site reads is in
.env.example and in one row of the configuration table (docs/configuration.md), and every link
from README.md and docs/*.md to a file of the repository (and to a heading in it) resolves.

Plain file reading: no database, no Django setup."""

import re

from .helpers import ROOT

DOCS = sorted((ROOT / "docs").glob("*.md"))
MARKDOWN = [ROOT / "README.md", *DOCS]

# Read from the environment by libraries, not by our code, and documented for that reason:
# boto3 (django-storages) reads the storage keys, Django's `createsuperuser --noinput` the
# superuser's username and password (our createsuperuser reads the email address itself).
READ_BY_LIBRARIES = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "DJANGO_SUPERUSER_USERNAME",
    "DJANGO_SUPERUSER_PASSWORD",
}

# os.environ.get("X"), os.environ["X"], os.getenv("X"), "X" in os.environ, and any helper with
# "env" in its name called with a name: env_bool("X"), env_list("X"), required_env("X")…
ENV_READ = re.compile(
    r"""(?:os\.environ\.get|os\.environ\.pop|\b[A-Za-z_]*env[A-Za-z_]*)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
    r"""|["']([A-Z][A-Z0-9_]*)["']\s+(?:not\s+)?in\s+os\.environ\b"""
)
NOT_APP_CODE = {".venv", "venv", "node_modules", "tools", "tests", "migrations", "locale"}
ENV_EXAMPLE_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target), the target up to a space (a title may follow) or ")".
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def settings_files():
    """The settings, as a module (mped/settings.py) or a package (mped/settings/*.py)."""
    return sorted((ROOT / "mped").glob("settings*.py")) + sorted(
        (ROOT / "mped" / "settings").glob("*.py")
    )


def app_files():
    """Every Python file of the project and its apps, outside tools/, tests/ and migrations."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if not any(part in NOT_APP_CODE or part.startswith(".") for part in parts):
            yield path


def names_read(paths):
    names = {}
    for path in paths:
        for match in ENV_READ.finditer(path.read_text(encoding="utf-8")):
            name = next(group for group in match.groups() if group)
            names.setdefault(name, path.relative_to(ROOT).as_posix())
    return names


def env_example_names():
    return set(ENV_EXAMPLE_LINE.findall((ROOT / ".env.example").read_text(encoding="utf-8")))


def table_rows(path):
    """The first cell of each row of the tables whose first column is headed "Variable"."""
    rows = []
    in_table = False
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|"):
            in_table = False
        elif not in_table and cells[0] == "Variable":
            in_table = True
        elif in_table and not set(cells[0]) <= set("-: "):
            rows.append(cells[0])
    return rows


def documented_rows():
    """(doc, names) for every row of a "Variable" table in docs/: a row may name several."""
    return [
        (path.name, re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
        for path in DOCS
        for first_cell in table_rows(path)
    ]


def test_the_settings_module_or_package_is_found_and_read():
    files = settings_files()
    assert files, "no mped/settings.py or mped/settings/*.py"
    # The variables the settings cannot do without are seen, so the pattern still matches.
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL"} <= set(names_read(files))


def test_every_row_of_the_configuration_table_names_a_variable():
    rows = documented_rows()
    assert rows, 'no table with a "Variable" column in docs/*.md'
    assert all(names for _doc, names in rows), [doc for doc, names in rows if not names]


def test_each_variable_is_in_exactly_one_row_of_the_docs():
    seen = {}
    for doc, names in documented_rows():
        for name in names:
            seen.setdefault(name, []).append(doc)
    twice = {name: docs for name, docs in seen.items() if len(docs) > 1}
    assert not twice, f"documented in more than one table row: {twice}"


def test_the_code_env_example_and_docs_name_the_same_variables():
    read = names_read([*settings_files(), *app_files()])
    in_code = set(read) | READ_BY_LIBRARIES
    in_example = env_example_names()
    in_docs = {name for _doc, names in documented_rows() for name in names}

    assert in_code - in_docs == set(), (
        "read by the code but not in the configuration table (docs/configuration.md): "
        + ", ".join(f"{name} ({read.get(name, 'a library')})" for name in sorted(in_code - in_docs))
    )
    assert in_docs - in_code == set(), "documented but never read: " + ", ".join(
        sorted(in_docs - in_code)
    )
    assert in_code - in_example == set(), "missing from .env.example: " + ", ".join(
        sorted(in_code - in_example)
    )
    assert in_example - in_code == set(), "in .env.example but never read: " + ", ".join(
        sorted(in_example - in_code)
    )


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    found = set()
    counts = {}
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE):
        base = slug(heading)
        number = counts.get(base, 0)
        counts[base] = number + 1
        found.add(base if number == 0 else f"{base}-{number}")
    return found


def local_links(path):
    text = INLINE_CODE.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("//"):
            continue  # https:, mailto: ...
        yield target


def test_the_readme_and_the_docs_link_only_to_files_and_headings_that_exist():
    broken = []
    count = 0
    for path in MARKDOWN:
        for target in local_links(path):
            count += 1
            file_part, _, fragment = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(ROOT)}: {target}"
            if not linked.exists():
                broken.append(f"{where} (no such file)")
            elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
                broken.append(f"{where} (no such heading)")
    assert count > 20, "the links were not found: has the pattern stopped matching?"
    assert not broken, "\n".join(broken)


def test_the_readme_is_a_front_door_that_links_every_doc():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    for path in DOCS:
        assert f"](docs/{path.name})" in readme, f"README.md does not link docs/{path.name}"


def test_each_doc_says_who_it_is_for_under_its_title():
    for path in DOCS:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# "), f"{path.name} starts with its title"
        assert lines[1] == "" and lines[2].startswith("For "), (
            f"{path.name}: a paragraph saying who it is for follows the title"
        )
