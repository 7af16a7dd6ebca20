#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for the storage tests: 127.0.0.1 only, trust auth, everything
# (data, socket, log) inside one temp directory.
#
#   eval "$(scripts/test-postgres.sh start)"   # exports KEYBRIDGE_TEST_PG and KEYBRIDGE_TEST_PG_DIR
#   dotnet test tests/OpenG2P.KeyBridge.Storage.Tests
#   scripts/test-postgres.sh stop              # or: scripts/test-postgres.sh stop <dir>
#
# Only the export lines go to stdout; progress goes to stderr.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
DB_NAME="${KEYBRIDGE_TEST_DB:-keybridge_test}"

log() { echo "test-postgres: $*" >&2; }

# The server refuses to run as root, so as root every PostgreSQL binary runs as 'postgres'.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

ensure_installed() {
    if [ -x "$PG_BIN/initdb" ]; then
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        log "PostgreSQL 15 is not installed ($PG_BIN/initdb missing); run: sudo apt-get install -y postgresql-15"
        exit 1
    fi
    log "installing postgresql-15"
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 >&2
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 40000))
        if ! port_in_use "$port"; then
            echo "$port"
            return
        fi
    done
    log "no free port found"
    exit 1
}

start() {
    ensure_installed
    local dir port
    dir="$(mktemp -d "${TMPDIR:-/tmp}/keybridge-pg.XXXXXX")"
    chmod 700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$dir"
    fi
    log "initdb in $dir"
    as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }

    # Another process may take the port between the probe and the bind: try a few.
    local started=""
    for _ in 1 2 3 4 5; do
        port="$(free_port)"
        if as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >&2; then
            started=1
            break
        fi
        log "start on port $port failed; retrying"
    done
    if [ -z "$started" ]; then
        cat "$dir/server.log" >&2 || true
        exit 1
    fi

    for _ in $(seq 1 60); do
        if as_pg "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
            break
        fi
        sleep 0.5
    done
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME"
    log "ready on 127.0.0.1:$port (stop with: $0 stop $dir)"
    echo "export KEYBRIDGE_TEST_PG='Host=127.0.0.1;Port=$port;Username=postgres;Database=$DB_NAME'"
    echo "export KEYBRIDGE_TEST_PG_DIR='$dir'"
}

stop() {
    local dir="${1:-${KEYBRIDGE_TEST_PG_DIR:-}}"
    if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
        log "usage: $0 stop <dir> (or export KEYBRIDGE_TEST_PG_DIR); no cluster found at '${dir}'"
        exit 1
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    rm -rf "$dir"
    log "stopped and removed $dir"
}

case "${1:-}" in
    start) start ;;
    stop) shift; stop "$@" ;;
    *) echo "usage: $0 start | stop [dir]" >&2; exit 2 ;;
esac
