#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on 127.0.0.1:55432 (trust auth on loopback) and prints its URL.
# Idempotent: if the cluster already answers, it only prints the URL. Needs Debian's `postgresql` package.
# Usage: scripts/start-postgres.sh            -> start (or reuse) and print the URL
#        scripts/start-postgres.sh stop       -> stop and delete the cluster
set -euo pipefail

PORT="${OPENBEAT_PG_PORT:-55432}"
DIR="${OPENBEAT_PG_DIR:-/tmp/openbeat-pg-$PORT}"
URL="postgres://postgres@127.0.0.1:$PORT/postgres"

BIN=""
for v in 15 16 17 14; do
  if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then BIN="/usr/lib/postgresql/$v/bin"; break; fi
done
if [ -z "$BIN" ]; then
  echo "start-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

as_postgres() {
  if [ "$(id -un)" = "postgres" ]; then "$@"
  elif command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"
  else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}

if [ "${1:-}" = "stop" ]; then
  if [ -f "$DIR/data/postmaster.pid" ]; then as_postgres "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true; fi
  rm -rf "$DIR"
  exit 0
fi

if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
  echo "$URL"
  exit 0
fi

if [ ! -f "$DIR/data/PG_VERSION" ]; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  chown postgres: "$DIR" 2>/dev/null || true
  as_postgres "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
fi

# Unix socket in the cluster dir so no system directory (/var/run/postgresql) is needed.
as_postgres "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50 -c shared_buffers=64MB" \
  start >&2 || { tail -20 "$DIR/server.log" >&2; exit 1; }

echo "$URL"
