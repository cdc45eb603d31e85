"""The test suite's own layout: shared helpers live in helpers.py and fixtures in conftest.py, so
no test module imports another; every test that drives Chromium is marked `browser`, so
`pytest -m "not browser"` runs none of them and `-m browser` runs only them."""

import ast
from pathlib import Path

TESTS = Path(__file__).parent
MODULES = sorted(TESTS.glob("test_*.py"))
SHARED = {"helpers", "conftest"}


def tree(path):
    return ast.parse(path.read_text(), filename=str(path))


def imported_test_modules(module):
    """The test modules (other than helpers and conftest) that `module` imports."""
    found = []
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom):
            if node.level and node.module:
                names = [node.module.split(".")[0]]
            elif node.level:
                names = [alias.name for alias in node.names]
            else:
                names = [node.module.split(".", 1)[1]] if node.module.startswith("tests.") else []
        elif isinstance(node, ast.Import):
            names = [a.name.split(".", 1)[1] for a in node.names if a.name.startswith("tests.")]
        else:
            continue
        found += [name.split(".")[0] for name in names if name.split(".")[0] not in SHARED]
    return found


def test_no_test_module_imports_another():
    imports = {path.name: imported_test_modules(tree(path)) for path in MODULES}
    assert not {name: found for name, found in imports.items() if found}, (
        "move what test modules share into tests/helpers.py (functions, constants) "
        "or tests/conftest.py (fixtures)"
    )


def test_the_layout_check_sees_an_import_of_a_test_module():
    module = ast.parse(
        "from .test_admin import change_url\nfrom . import test_home\n"
        "import tests.test_news\nfrom .helpers import make_news\n"
    )
    assert imported_test_modules(module) == ["test_admin", "test_home", "test_news"]


def is_browser_mark(node):
    """`pytest.mark.browser`, or a list holding it."""
    if isinstance(node, ast.List | ast.Tuple):
        return any(is_browser_mark(element) for element in node.elts)
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "browser"
        and ast.unparse(node) == ("pytest.mark.browser")
    )


def module_is_marked(module):
    return any(
        isinstance(node, ast.Assign)
        and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        )
        and is_browser_mark(node.value)
        for node in module.body
    )


def uses_chromium(module):
    """The module imports playwright, or one of its tests asks for the `browser` fixture."""
    for node in ast.walk(module):
        if isinstance(node, ast.Import) and any(
            a.name.startswith("playwright") for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("playwright"):
            return True
        if (
            isinstance(node, ast.FunctionDef)
            and node.name.startswith("test_")
            and "browser" in [argument.arg for argument in node.args.args]
        ):
            return True
    return False


def test_every_module_that_drives_chromium_is_marked_browser_and_named_so():
    unmarked, misnamed, marked_without_chromium = [], [], []
    for path in MODULES:
        module = tree(path)
        if path.name == "test_layout.py":
            continue
        if uses_chromium(module):
            if not module_is_marked(module):
                unmarked.append(path.name)
            if not path.name.startswith("test_browser"):
                misnamed.append(path.name)
        elif module_is_marked(module):
            marked_without_chromium.append(path.name)
    assert not unmarked, "add `pytestmark = pytest.mark.browser` to these modules"
    assert not misnamed, "browser tests live in tests/test_browser_*.py"
    assert not marked_without_chromium, "these modules are marked browser but drive no browser"
