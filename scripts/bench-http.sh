#!/usr/bin/env bash
# HTTP benchmark: the login page, GET /api/v1/regions and the portal's home and a detail page
# served by chuangye, against nginx serving the same bytes as static files, on this machine,
# in the same run, 64 connections.
# Usage: scripts/bench-http.sh [DURATION_SECONDS]   (installs nginx and wrk if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
DUR="${1:-15}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/chuangye-target}"
for t in nginx wrk; do
  command -v "$t" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk >/dev/null; }
done
cargo build --release -q -p chuangye
BIN="$CARGO_TARGET_DIR/release/chuangye"
WORK=$(mktemp -d)
chmod 755 "$WORK"
APP=127.0.0.1:18080
STATIC=127.0.0.1:18081
cleanup() { kill "${APP_PID:-}" 2>/dev/null || true; nginx -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# All the load comes from one address: the per-address limit on public pages would answer it
# with 429 (as it should a real flood), so it is turned off here, as nginx has none.
CHUANGYE_PUBLIC_PER_SECOND=0 CHUANGYE_LOG=warn "$BIN" --data "$WORK/data" --addr "$APP" serve >"$WORK/serve.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 100); do curl -fs "http://$APP/healthz" >/dev/null && break; sleep 0.1; done
TOKEN=$("$BIN" --data "$WORK/data" token create office --name bench | tail -n 1)

mkdir -p "$WORK/www/api/v1"
curl -fs "http://$APP/login" -o "$WORK/www/login.html"
curl -fs "http://$APP/portal" -o "$WORK/www/portal.html"
ITEM=$(curl -fs "http://$APP/api/v1/portal/items?kind=policy" | sed -n 's/.*"url":"\([^"]*\)".*/\1/p' | head -n 1)
curl -fs "http://$APP$ITEM" -o "$WORK/www/item.html"
curl -fs -H "Authorization: Bearer $TOKEN" "http://$APP/api/v1/regions" -o "$WORK/www/api/v1/regions.json"
cat >"$WORK/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  include /etc/nginx/mime.types;
  server {
    listen $STATIC;
    root $WORK/www;
  }
}
NGINX
chmod -R a+rX "$WORK/www"
nginx -c "$WORK/nginx.conf"
sleep 0.3

run() { # label url [header]
  local label=$1 url=$2; shift 2
  local out
  out=$(wrk -t2 -c64 -d"${DUR}s" --latency "$@" "$url")
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  printf '%-34s %12s req/s   p99 %s\n' "$label" "$rps" "$p99"
  echo "$out" | grep -E "Non-2xx|Socket errors" || true
}
echo "bytes: login $(wc -c <"$WORK/www/login.html"), regions $(wc -c <"$WORK/www/api/v1/regions.json"), portal $(wc -c <"$WORK/www/portal.html"), item $(wc -c <"$WORK/www/item.html") ($ITEM); $(nproc) cores; ${DUR}s per run, 64 connections"
run "chuangye GET /login" "http://$APP/login"
run "nginx    GET /login.html" "http://$STATIC/login.html"
run "chuangye GET /api/v1/regions" "http://$APP/api/v1/regions" -H "Authorization: Bearer $TOKEN"
run "nginx    GET /api/v1/regions.json" "http://$STATIC/api/v1/regions.json"
run "chuangye GET /portal" "http://$APP/portal"
run "nginx    GET /portal.html" "http://$STATIC/portal.html"
run "chuangye GET $ITEM" "http://$APP$ITEM"
run "nginx    GET /item.html" "http://$STATIC/item.html"
