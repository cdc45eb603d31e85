#!/usr/bin/env bash
# Lighthouse scores of the home page, a news item and the partners page, on the production
# stack (gunicorn, DEBUG off, hashed static files) with the demo content, in Debian's Chromium.
# Usage: bash tools/lighthouse.sh   (needs make, node/npm and chromium; installs lighthouse in /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill ${server:-0} 2>/dev/null || true; rm -rf "$work"' EXIT
make install >/dev/null
npm install --prefix "$work" --no-audit --no-fund --silent lighthouse@12 >/dev/null
export DJANGO_SECRET_KEY=lighthouse-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz \
  DATABASE_URL="sqlite:///$work/site.sqlite3" DJANGO_STATIC_ROOT="$work/static" \
  DJANGO_MEDIA_ROOT="$work/media" DJANGO_PRIVATE_MEDIA_ROOT="$work/private" \
  DJANGO_SECURE_COOKIES=0 DJANGO_SERVE_MEDIA=1
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_demo_content -v0
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/gunicorn mped.wsgi -b 127.0.0.1:8030 -w 2 --log-level warning & server=$!
sleep 3
for path in /en/ /en/news/new-report-womens-participation-in-local-politics/ /en/partners/; do
  CHROME_PATH=/usr/bin/chromium "$work/node_modules/.bin/lighthouse" "http://127.0.0.1:8030$path" \
    --quiet --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync" \
    --output=json --output-path="$work/report.json" >/dev/null 2>&1
  node -e "const r=require('$work/report.json'); console.log('$path', Object.values(r.categories).map(c => c.title + ' ' + Math.round(c.score * 100)).join(', '))"
done
