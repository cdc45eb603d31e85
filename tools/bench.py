"""`make bench` (`make bench ITEMS=100000`): the site as in production, page by page.

1. A PostgreSQL database per size (`mped_bench_<items>`) with the demo content scaled up by
   `scale_demo_content` (news items with dates over 15 years, a third reports with a few
   thousand words of document text, one in ten members only; all marked as samples). Built
   once and reused while it holds that many items (`--rebuild` builds it again); 100,000 items
   take minutes. `--build-only` stops there.
2. In-process (Django's test client, production settings): the time, CPU, queries and SQL time
   of each page, median and p99 of repeated requests, each a render: the reader has a session
   (kept in the cache, not logged in), so the page cache is skipped, while what is kept per
   content version serves as it does for logged-in readers in production.
3. gunicorn with the production settings, Redis as the cache when one answers at
   BENCH_REDIS_URL; wrk on loopback drives each page (BENCH_SECONDS per run, BENCH_CONNECTIONS
   connections): cached (an anonymous reader, the page cache warm) and uncached (with that
   reader's session cookie: every request renders the page). Server CPU per request: the
   workers' user + system CPU time (/proc/<pid>/stat) over the run, divided by the requests wrk
   made; the figure that stays steady on a shared machine (for slow pages, few requests in a
   run, it counts the requests still in progress at the end too). The admin pages are
   requested as a superuser (a session made in the database).
4. Bytes of each page as sent, plain and compressed (Accept-Encoding: zstd, br, gzip); the
   workers' peak memory (VmHWM) after the sitemap pages.

Prints the run's conditions and Markdown tables: each page with the issue's aim and whether
it is met, then the details. Needs PostgreSQL at DATABASE_ADMIN_URL (default postgres on
127.0.0.1) and wrk (installed from Debian's packages if missing and run as root).
"""

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
PG = os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ADMIN_EMAIL = "sample-bench-admin@example.org"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Issue 20's aims: (what is measured, limit).
CPU, RENDER = "server CPU per uncached request", "in-process render, median"


def pages(words):
    """(name, path or how to find it, aim) of every page measured. `words`: the search words
    found in the data (common, rare, Khmer)."""
    quote = urllib.parse.quote
    return [
        ("Home page", "/en/", (CPU, 4)),
        ("News list, first page", "/en/news/", (RENDER, 100)),
        ("News list, deepest page", "deepest", (RENDER, 100)),
        ("News item", "/en/news/new-report-womens-participation-in-local-politics/", (CPU, 2.5)),
        ("Partner page", "/en/partners/county-of-newell/", None),
        (f"Search, a common word ({words['common']})", f"/en/search/?q={quote(words['common'])}",
         (RENDER, 150)),
        (f"Search, a rare word ({words['rare']})", f"/en/search/?q={quote(words['rare'])}",
         (RENDER, 50)),
        ("Search, a Khmer word", f"/km/search/?q={quote(words['khmer'])}", (RENDER, 150)),
        ("Sitemap index", "/sitemap.xml", (RENDER, 1000)),
        ("Sitemap, a news page", "news-sitemap", (RENDER, 1000)),
        ("Admin: news list", "admin:/admin/news/newsitem/", (RENDER, 300)),
        ("Admin: news search", f"admin:/admin/news/newsitem/?q={quote(words['common'])}",
         (RENDER, 300)),
        ("Admin: dashboard", "admin:/admin/", (RENDER, 300)),
    ]  # fmt: skip


def run(*args, env=None, quiet=True):
    result = subprocess.run(  # noqa: S603 - fixed commands, no shell
        args, env=env, cwd=ROOT, capture_output=quiet, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def psql(sql, database="postgres"):
    return run("psql", f"{PG}/{database}", "-Atq", "-c", sql).strip()


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


def site_environment(database, items):
    files = Path(os.environ.get("BENCH_FILES", f"/tmp/mped-bench-{items}"))  # noqa: S108
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="mped.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=f"{PG}/{database}",
        # Uploads survive between runs, like the database they belong to.
        DJANGO_STATIC_ROOT=str(files / "static"),
        DJANGO_MEDIA_ROOT=str(files / "media"),
        DJANGO_PRIVATE_MEDIA_ROOT=str(files / "private"),
        DJANGO_SERVE_MEDIA="1",
        DJANGO_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STAFF_REQUIRE_2FA="0",
        DJANGO_LOG_LEVEL="WARNING",
        MPED_SITE_URL=f"http://127.0.0.1:{PORT}",
    )
    env.pop("REDIS_URL", None)
    if redis_available():
        env["REDIS_URL"] = REDIS_URL
    return env


def sample_items(database):
    # The name is ours (mped_bench_<number>), not user input.
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'")  # noqa: S608
    if not exists:
        return None
    try:
        return int(
            psql(
                "SELECT count(*) FROM news_newsitem WHERE slug LIKE 'sample-news-item-%'",
                database,
            )
        )
    except SystemExit:  # No such table: a database left half made
        return None


def prepare(env, database, items, rebuild):
    """The database with `items` sample news items: reused if it has them, else built."""
    if not rebuild and sample_items(database) == items:
        print(f"Reusing {database} ({items:,} sample news items; --rebuild to build it again).")
        run(PYTHON, "manage.py", "migrate", "--no-input", env=env)
    else:
        print(f"Building {database} with {items:,} sample news items...", flush=True)
        started = time.monotonic()
        psql(f"DROP DATABASE IF EXISTS {database}")
        psql(f"CREATE DATABASE {database}")
        run(PYTHON, "manage.py", "migrate", "--no-input", env=env)
        run(PYTHON, "manage.py", "load_demo_content", env=env)
        output = run(PYTHON, "manage.py", "scale_demo_content", "--news", str(items), env=env)
        print(output.strip())
        print(f"Built in {time.monotonic() - started:.0f} s.", flush=True)
    run(PYTHON, "manage.py", "collectstatic", "--no-input", env=env)


# In-process measurements (a subprocess with the site's settings: `--in-process`).


class Links(HTMLParser):
    """The links (href, rel, text) of a page's pagination and of an XML sitemap index."""

    def __init__(self):
        super().__init__()
        self.links, self.current, self.locs, self.in_loc = [], None, [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.current = [attrs["href"], attrs.get("rel") or "", ""]
            self.links.append(self.current)
        self.in_loc = tag == "loc"

    def handle_endtag(self, tag):
        if tag == "a":
            self.current = None
        self.in_loc = False

    def handle_data(self, data):
        if self.current is not None:
            self.current[2] += data.strip()
        if self.in_loc:
            self.locs.append(data.strip())


def parse(content):
    parser = Links()
    parser.feed(content.decode())
    return parser


def deepest_news_page(client):
    """The news list's deepest page, found through its own links: a "last" link if it has
    one; else, when its "Older" link numbers pages (?page=N), the last number that answers
    (doubling, then halving); else "Older" followed as far as 200 pages."""
    base = "/en/news/"
    path = base
    for _hop in range(200):
        links = parse(client.get(path).content).links
        older = [
            (href, rel, text)
            for href, rel, text in links
            if "last" in rel.split()
            or text.lower() in {"last", "oldest", "older"}
            or "next" in rel.split()
        ]
        if not older:
            return path
        last = [link for link in older if "last" in link[1].split() or link[2].lower() in
                {"last", "oldest"}]  # fmt: skip
        href = (last or older)[0][0]
        target = urllib.parse.urljoin(path, href)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query)
        if not last and list(query) == ["page"] and query["page"][0].isdigit():
            low, high = int(query["page"][0]), int(query["page"][0])
            while client.get(f"{base}?page={high * 2}").status_code == 200:
                low, high = high * 2, high * 2
            high *= 2
            while high - low > 1:
                middle = (low + high) // 2
                if client.get(f"{base}?page={middle}").status_code == 200:
                    low = middle
                else:
                    high = middle
            return f"{base}?page={low}"
        path = target if target.startswith("/") else urllib.parse.urlsplit(target).path
    return path


def search_words():
    """A word in nearly every item, a rare one and a frequent Khmer word, from the suggestions'
    word list (what anyone may read)."""
    from search.models import Word

    rare = (
        Word.objects.filter(language="en", count__gte=2, text__regex=r"^[a-z]{7,}$")
        .order_by("count", "text")
        .values_list("text", flat=True)
        .first()
    )
    khmer = (
        Word.objects.filter(language="km", text__regex=r"^[\u1780-\u17ff]{4,}$")
        .order_by("-count", "text")
        .values_list("text", flat=True)
        .first()
    )
    return {"common": "development", "rare": rare or "partnership", "khmer": khmer or "ក្រុង"}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure_in_process(only=""):
    """Run inside the site (django.setup() done): prints JSON with each page's figures."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    # An anonymous request starts a content version, as in production: what is kept per
    # version (core.cache.kept_per_version) then serves every render. The pages below are
    # requested by a reader who is not logged in but has a session (kept in the cache): the
    # page cache is skipped, every request renders the page, and the session costs no query.
    Client(HTTP_HOST="127.0.0.1").get("/en/")
    reader = store()
    reader["mped_bench"] = "a reader who is not logged in"
    reader.create()
    anonymous = Client(HTTP_HOST="127.0.0.1")
    anonymous.cookies[settings.SESSION_COOKIE_NAME] = reader.session_key
    admin, _created = User.objects.get_or_create(
        username=ADMIN_EMAIL,
        defaults={"email": ADMIN_EMAIL, "is_staff": True, "is_superuser": True},
    )
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(admin)
    # A session in the database (and cache) for wrk's requests to the admin.
    session = store()
    session[SESSION_KEY] = str(admin.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    session.create()

    words = search_words()
    found = {"deepest": deepest_news_page(anonymous)}
    index = parse(anonymous.get("/sitemap.xml").content).locs
    news_pages = [loc for loc in index if "news" in loc]
    found["news-sitemap"] = urllib.parse.urlsplit((news_pages or index)[0]).path
    query = urllib.parse.urlsplit((news_pages or index)[0]).query
    if query:
        found["news-sitemap"] += "?" + query

    results = []
    for name, spec, aim in pages(words):
        if only.lower() not in name.lower():
            continue
        client = staff if spec.startswith("admin:") else anonymous
        path = found.get(spec, spec.removeprefix("admin:"))
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{path} answered {response.status_code}")
        walls, cpus, sqls, queries = [], [], [], 0
        budget = time.monotonic() + float(os.environ.get("BENCH_IN_PROCESS_SECONDS", "4"))
        while len(walls) < 5 or (len(walls) < 50 and time.monotonic() < budget):
            with CaptureQueriesContext(connection) as captured:
                cpu, wall = time.process_time(), time.perf_counter()
                client.get(path)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            walls.append(wall * 1000)
            cpus.append(cpu * 1000)
            sqls.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
            queries = len(captured)
        results.append(
            {
                "name": name,
                "path": ("admin:" if client is staff else "") + path,
                "aim": aim,
                "median": statistics.median(walls),
                "p99": percentile(walls, 0.99),
                "cpu": statistics.median(cpus),
                "sql": statistics.median(sqls),
                "queries": queries,
                "runs": len(walls),
            }
        )
    output = {"pages": results, "session": session.session_key, "reader": reader.session_key}
    print(json.dumps({**output, "words": words}))


def in_process(env, only):
    output = run(PYTHON, str(Path(__file__).resolve()), "--in-process", "--only", only, env=env)
    return json.loads(output.strip().splitlines()[-1])


# gunicorn and wrk.


def start_server(env, workers, log):
    server = subprocess.Popen(  # noqa: S603 - fixed command
        [
            GUNICORN,
            "mped.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/robots.txt", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGTERM)
    sys.exit("gunicorn did not start")


def worker_pids(server):
    """The gunicorn workers: the master's children."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.pid:  # ppid (field 4)
            pids.append(int(stat.parent.name))
    return pids


def cpu_seconds(pids):
    """User + system CPU time of these processes, in seconds (0 for one that is gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLOCK_TICKS


def peak_memory_mb(pids):
    """The largest peak resident memory (VmHWM) among these processes, in MB."""
    peak = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if match := re.search(r"^VmHWM:\s+(\d+) kB", status, re.M):
            peak = max(peak, int(match.group(1)) / 1024)
    return peak


def parse_duration(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def fetch(path, cookie=None, encoding=None):
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}")
    if cookie:
        request.add_header("Cookie", cookie)
    if encoding:
        request.add_header("Accept-Encoding", encoding)
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback
        return response.read(), response.headers.get("Content-Encoding", "")


def wrk(path, pids, seconds, connections, cookie=None):
    """wrk on `path`: (requests/s, p50 ms, p99 ms, errors, server CPU ms per request)."""
    for _ in range(2):  # Warm up: fill the cache and the workers' connections.
        fetch(path, cookie)
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "60s"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    before = cpu_seconds(pids)
    output = run(*args, f"http://127.0.0.1:{PORT}{path}")
    spent = cpu_seconds(pids) - before
    made = int(re.search(r"(\d+) requests in", output).group(1))
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
    return {
        "rps": requests,
        "p50": p50,
        "p99": p99,
        "errors": errors,
        "cpu": spent * 1000 / made if made else None,
    }


# The report.


def number(value, digits=1):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def verdict(page):
    if not page["aim"]:
        return "–", "–", ""
    what, limit = page["aim"]
    if what == CPU:
        measured = (page.get("uncached") or {}).get("cpu")
        aim = f"≤ {limit} ms CPU"
        met = measured is not None and measured <= limit
    else:
        measured = page["median"]
        aim = f"< {limit:,} ms"
        met = measured < limit
    if page.get("peak_mb") is not None:
        aim += ", worker < 300 MB"
        met = met and page["peak_mb"] < 300
    return aim, number(measured), "yes" if met else "**no**"


def report(results, conditions):
    print()
    print(conditions)
    print()
    print("| Page | Aim | Measured (ms) | Met | Render CPU (ms) |")
    print("| --- | --- | ---: | --- | ---: |")
    for page in results:
        aim, measured, met = verdict(page)
        print(f"| {page['name']} | {aim} | {measured} | {met} | {number(page['cpu'])} |")
    print()
    print(
        "| Page | Render median / p99 | Render CPU | Queries | SQL | Bytes (compressed) "
        "| Cached req/s | p50 / p99 | CPU/req | Uncached req/s | p50 / p99 | CPU/req |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for page in results:
        path = page["path"].removeprefix("admin:")
        cells = [
            f"{page['name']} `{path}`",
            f"{number(page['median'])} / {number(page['p99'])} ms",
            f"{number(page['cpu'])} ms",
            str(page["queries"]),
            f"{number(page['sql'])} ms",
            f"{page['bytes']:,} ({page['compressed']:,} {page['encoding'] or 'plain'})",
        ]
        for run_ in (page.get("cached"), page.get("uncached")):
            if run_ is None:
                cells += ["–", "–", "–"]
            else:
                errors = f", {run_['errors']} errors" if run_["errors"] else ""
                cells += [
                    f"{number(run_['rps'], 0)}{errors}",
                    f"{number(run_['p50'])} / {number(run_['p99'])} ms",
                    f"{number(run_['cpu'], 2)} ms",
                ]
        if page.get("peak_mb") is not None:
            cells[0] += f" (worker peak {page['peak_mb']:,.0f} MB)"
        print("| " + " | ".join(cells) + " |")


def machine():
    """The processor's name and the system."""
    name = platform.machine()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        cpuinfo = ""
    if match := re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M):
        name = match.group(1).strip()
    return f"{name}, {platform.system()} {platform.release()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=int(os.environ.get("ITEMS", "1000")))
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--build-only", action="store_true", help="build (or check) and stop")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "10")))
    parser.add_argument(
        "--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", "32"))
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1))),
    )
    parser.add_argument("--only", default="", help="only the pages whose name has this text")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.in_process:
        import django

        sys.path.insert(0, str(ROOT))
        django.setup()
        measure_in_process(options.only)
        return

    database = f"mped_bench_{options.items}"
    env = site_environment(database, options.items)
    prepare(env, database, options.items, options.rebuild)
    if options.build_only:
        return
    ensure_wrk()
    print("Measuring in-process...", flush=True)
    measured = in_process(env, options.only)
    results = measured["pages"]
    admin_cookie = f"sessionid={measured['session']}"
    reader_cookie = f"sessionid={measured['reader']}"
    cache = "Redis" if "REDIS_URL" in env else "local memory (no Redis found)"
    load = os.getloadavg()
    conditions = (
        f"`make bench ITEMS={options.items}` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d}: "
        f"{options.items:,} sample news items on PostgreSQL; gunicorn, {options.workers} sync "
        f"workers, production settings, cache: {cache}; wrk, {options.connections} connections, "
        f"{options.seconds} s per run; {os.cpu_count()} cores ({machine()}) shared by gunicorn, "
        f"PostgreSQL, Redis and wrk (load average {load[0]:.1f} at the start). Search words: "
        f"{measured['words']}."
    )
    print("Measuring under gunicorn and wrk...", flush=True)
    log_path = Path(env["DJANGO_MEDIA_ROOT"]).parent / "gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        server = start_server(env, options.workers, log)
    try:
        pids = worker_pids(server)
        for page in results:
            admin = page["path"].startswith("admin:")
            path = page["path"].removeprefix("admin:")
            cookie = admin_cookie if admin else None
            try:
                plain, _ = fetch(path, cookie)
            except urllib.error.HTTPError as error:
                page.update(bytes=0, compressed=0, encoding=f"HTTP {error.code}")
                print(f"  {page['name']}: {path} answered {error.code} (see {log_path})")
                continue
            compressed, encoding = fetch(path, cookie, "zstd, br, gzip")
            page.update(bytes=len(plain), compressed=len(compressed), encoding=encoding)
            page["cached"] = None
            if not admin:
                page["cached"] = wrk(path, pids, options.seconds, options.connections)
            page["uncached"] = wrk(
                path, pids, options.seconds, options.connections, cookie or reader_cookie
            )
            page["peak_mb"] = peak_memory_mb(pids) if "sitemap" in path else None
            print(f"  {page['name']}: done", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    if options.drop:
        psql(f"DROP DATABASE IF EXISTS {database}")
    report(results, conditions)


if __name__ == "__main__":
    main()
