"""The dependency locks: production's requirements.txt holds no test tool, every package named in
a .in file is pinned with its hashes, and pre-commit runs the ruff the lock pins."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def names_in(path):
    """The package names a .in file asks for (extras and version ranges left out)."""
    names = set()
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(canonical(re.match(r"[A-Za-z0-9._-]+", line).group()))
    return names


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins_in(path):
    """{name: version} of a lock, and the names pinned without a hash."""
    text = (ROOT / path).read_text()
    pins, unhashed = {}, []
    for match in re.finditer(r"^([A-Za-z0-9._-]+)==(\S+)((?: \\\n\s+--hash=\S+)*)", text, re.M):
        name = canonical(match.group(1))
        pins[name] = match.group(2)
        if "--hash=sha256:" not in match.group(3):
            unhashed.append(name)
    return pins, unhashed


def test_production_installs_no_test_or_tooling_package():
    runtime, _unhashed = pins_in("requirements.txt")
    assert names_in("requirements-dev.in") & set(runtime) == set()
    assert {"pytest", "playwright", "ruff", "pip-audit", "pre-commit"} & set(runtime) == set()


def test_every_package_asked_for_is_pinned_with_its_hashes():
    for source, lock in [
        ("requirements.in", "requirements.txt"),
        ("requirements-dev.in", "requirements-dev.txt"),
    ]:
        pins, unhashed = pins_in(lock)
        assert names_in(source) - set(pins) == set(), f"run `make lock`: {lock} is behind"
        assert unhashed == [], f"{lock} pins without a hash: {unhashed}"


def test_the_development_lock_keeps_the_runtime_pins():
    runtime, _unhashed = pins_in("requirements.txt")
    dev, _unhashed = pins_in("requirements-dev.txt")
    assert {name: dev[name] for name in set(dev) & set(runtime)} == {
        name: runtime[name] for name in set(dev) & set(runtime)
    }


def test_pre_commit_runs_the_ruff_the_lock_pins():
    dev, _unhashed = pins_in("requirements-dev.txt")
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    assert set(re.findall(r"ruff==(\S+?)\"", config)) == {dev["ruff"]}
