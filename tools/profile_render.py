"""CPU per uncached render, in-process: a logged-in member's pages (never served from the page
cache), with the page cache on as in production so that what is kept per content version is
used. Prints, per page, the median over runs of the CPU time per request (time.process_time)
and the queries of one request; with --profile, cProfile's top functions instead.

    DATABASE_URL=postgres://... .venv/bin/python tools/profile_render.py [--requests 300]
        [--runs 5] [--profile] [--lang en] [path ...]

The settings are the test ones unless DJANGO_SETTINGS_MODULE says otherwise (DEBUG off, page
cache on, local-memory cache or Redis with REDIS_URL). The database should hold the demo content
(manage.py load_demo_content); the script makes a member (profile-member@example.org) there.
"""

import argparse
import cProfile
import logging
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mped.settings.test")

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from news.models import NewsItem  # noqa: E402

MEMBER = "profile-member@example.org"


def member_client():
    user, _created = get_user_model().objects.get_or_create(
        username=MEMBER, defaults={"email": MEMBER}
    )
    EmailAddress.objects.get_or_create(
        user=user, email=MEMBER, defaults={"verified": True, "primary": True}
    )
    client = Client()
    client.force_login(user)
    return client


def count_queries(client, path):
    # Counted by a wrapper: Django clears its query log at each request's start.
    queries = []

    def counting(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(counting):
        client.get(path)
    return queries


def cpu_per_request(client, path, requests):
    started = time.process_time()
    for _ in range(requests):
        response = client.get(path)
    elapsed = time.process_time() - started
    assert response.status_code == 200, (path, response.status_code)
    return elapsed / requests * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The access log is written as in production (its cost counts), to nowhere.
    devnull = open(os.devnull, "w")  # noqa: SIM115
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)

    paths = args.paths
    if not paths:
        item = NewsItem.objects.published().filter(is_members_only=False).first()
        paths = [f"/{args.lang}/", f"/{args.lang}/news/{item.slug}/"]
    client = member_client()
    # An anonymous request starts the content version (the page cache's middleware does).
    Client().get(paths[0])
    for path in paths:
        for _ in range(50):
            client.get(path)
        queries = count_queries(client, path)
        if args.profile:
            # CPU time, not wall time: the machine may be shared, and waits are not ours.
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            cpu_per_request(client, path, args.requests)
            profiler.disable()
            print(f"== {path}")
            stats = pstats.Stats(profiler).strip_dirs()
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
            continue
        runs = [cpu_per_request(client, path, args.requests) for _ in range(args.runs)]
        print(
            f"{path}: {statistics.median(runs):.2f} ms CPU per request (median of {args.runs} "
            f"runs of {args.requests}; runs {', '.join(f'{r:.2f}' for r in runs)}), "
            f"{len(queries)} queries"
        )


if __name__ == "__main__":
    main()
