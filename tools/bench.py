"""`make bench`: the site as in production, under load from wrk, page by page.

1. A fresh PostgreSQL database (`mped_bench`, dropped first) with the demo content scaled up by
   `scale_demo_content` (1,000 news items, 50 more municipalities, 200 members).
2. gunicorn with the production settings (mped.settings.production), hashed and compressed static
   files (`collectstatic`), Redis as the cache when a Redis server answers at REDIS_URL (default
   redis://127.0.0.1:6379/14).
3. For each page, wrk on loopback (BENCH_SECONDS per run, BENCH_CONNECTIONS connections): first
   as an anonymous reader (the page cache warm), then with a session cookie that matches no session
   (every request renders the page: the uncached path). The static file is the floor each page
   is compared with, measured in the same run.
4. Queries per page, counted in-process with the page cache off.

Prints a Markdown table. Needs PostgreSQL at DATABASE_ADMIN_URL (default postgres on 127.0.0.1)
and wrk (installed from Debian's packages if missing and run as root).
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
PG = os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "mped_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

PAGES = [
    ("Home page", "/en/"),
    ("News listing", "/en/news/"),
    ("News item", "/en/news/new-report-womens-participation-in-local-politics/"),
    ("Partner page", "/en/partners/county-of-newell/"),
    ("Search", "/en/search/?q=market"),
]


def run(*args, env=None, quiet=True):
    result = subprocess.run(  # noqa: S603 - fixed commands, no shell
        args, env=env, cwd=ROOT, capture_output=quiet, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("wrk is missing: apt-get install wrk")
    print("Installing wrk from Debian's packages...", flush=True)
    run("apt-get", "install", "-y", "-qq", "wrk")


def redis_available():
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).flushdb()
    except Exception:  # No Redis: the local-memory cache is used
        return False
    return True


def site_environment(tmp):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="mped.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"{PG}/{DATABASE}",
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        DJANGO_MEDIA_ROOT=str(tmp / "media"),
        DJANGO_PRIVATE_MEDIA_ROOT=str(tmp / "private"),
        DJANGO_SERVE_MEDIA="1",
        DJANGO_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_LOG_LEVEL="WARNING",
        MPED_SITE_URL=f"http://127.0.0.1:{PORT}",
    )
    env.pop("REDIS_URL", None)
    if redis_available():
        env["REDIS_URL"] = REDIS_URL
    return env


def prepare(env):
    print(f"Preparing the database {DATABASE}...", flush=True)
    run("psql", PG, "-q", "-c", f"DROP DATABASE IF EXISTS {DATABASE}")
    run("psql", PG, "-q", "-c", f"CREATE DATABASE {DATABASE}")
    run(PYTHON, "manage.py", "migrate", "--no-input", env=env)
    run(PYTHON, "manage.py", "load_demo_content", env=env)
    print(run(PYTHON, "manage.py", "scale_demo_content", env=env).strip(), flush=True)
    run(PYTHON, "manage.py", "collectstatic", "--no-input", env=env)


def static_path(env):
    manifest = json.loads((Path(env["DJANGO_STATIC_ROOT"]) / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["css/site.css"]


def query_counts(env, paths):
    """Queries per page for an anonymous reader, with the page cache off."""
    script = (
        "import json, sys\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "client = Client(HTTP_HOST='127.0.0.1')\n"
        "counts = {}\n"
        "for path in sys.argv[1:]:\n"
        "    client.get(path)\n"
        "    with CaptureQueriesContext(connection) as queries:\n"
        "        assert client.get(path).status_code == 200, path\n"
        "    counts[path] = len(queries)\n"
        "print(json.dumps(counts))\n"
    )
    env = dict(env, MPED_PAGE_CACHE_SECONDS="0", DJANGO_SETTINGS_MODULE="mped.settings.production")
    output = run(PYTHON, "-c", f"import django; django.setup(); exec({script!r})", *paths, env=env)
    return json.loads(output.strip().splitlines()[-1])


def start_server(env):
    server = subprocess.Popen(  # noqa: S603 - fixed command
        [
            GUNICORN,
            "mped.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/robots.txt", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGTERM)
    sys.exit("gunicorn did not start")


def parse_duration(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(path, cookie=None):
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    # Warm up: fill the cache and the workers' connections.
    for _ in range(3):
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30).read()
    output = run(*args, f"http://127.0.0.1:{PORT}{path}")
    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = parse_duration(re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1))
    p99 = parse_duration(re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in match.groups())
    return requests, p50, p99, errors


def main():
    ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="mped-bench-") as tmp:
        env = site_environment(Path(tmp))
        prepare(env)
        static = static_path(env)
        counts = query_counts(env, [path for _, path in PAGES])
        cache = "Redis" if "REDIS_URL" in env else "local memory (no Redis found)"
        print(
            f"gunicorn, {WORKERS} workers; PostgreSQL; cache: {cache}; wrk, {CONNECTIONS} "
            f"connections, {SECONDS} s per run, on {os.cpu_count()} cores shared with wrk.",
            flush=True,
        )
        server = start_server(env)
        try:
            floor = wrk(static)
            rows = [("Static file (the floor)", static, floor, None, "–")]
            for name, path in PAGES:
                cached = wrk(path)
                # A session cookie that matches no session: the page is rendered every time.
                uncached = wrk(path, cookie="sessionid=bench-no-such-session")
                rows.append((name, path, cached, uncached, counts[path]))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
        run("psql", PG, "-q", "-c", f"DROP DATABASE IF EXISTS {DATABASE}")

    print()
    print(
        "| Page | Cached req/s | vs static | p50 | p99 | Uncached req/s | vs static | p50 | p99 "
        "| Errors | Queries |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, path, cached, uncached, queries in rows:
        requests, p50, p99, errors = cached
        cells = [f"{name} `{path}`", f"{requests:,.0f}", f"{requests / floor[0]:.2f}"]
        cells += [f"{p50:.1f} ms", f"{p99:.1f} ms"]
        if uncached:
            u_requests, u_p50, u_p99, u_errors = uncached
            cells += [f"{u_requests:,.0f}", f"{u_requests / floor[0]:.2f}"]
            cells += [f"{u_p50:.1f} ms", f"{u_p99:.1f} ms"]
            errors += u_errors
        else:
            cells += ["–"] * 4
        cells += [str(errors), str(queries)]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
