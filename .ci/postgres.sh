#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for ecert's tests, on a Unix socket in a temporary directory (no TCP port,
# nothing outside the directory). Installs PostgreSQL from Debian's packages first if it is missing.
#
#   eval "$(.ci/postgres.sh start)"   # exports ECERT_TEST_POSTGRES and ECERT_TEST_POSTGRES_DIR
#   cargo test --workspace                          # the PostgreSQL tests now run too
#   .ci/postgres.sh stop "$ECERT_TEST_POSTGRES_DIR"
#
# `start` prints shell `export` lines on stdout and everything else on stderr. The cluster trusts every local
# connection (it is reachable only through the socket in its own directory) and runs with fsync off: it is
# for tests, and is deleted by `stop`. Tests create a database of their own in it for every platform they
# start (crates/sample/src/backend.rs).
set -euo pipefail

say() { echo "postgres-test-cluster: $*" >&2; }

find_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

install_postgres() {
    say "PostgreSQL is not installed; installing Debian's package 'postgresql'"
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { say "not root and no sudo: install PostgreSQL (apt-get install postgresql) and run again"; exit 1; }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq >&2
    "${sudo[@]}" apt-get install -y -qq postgresql >&2
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user Debian's package
# creates (or to `nobody` if there is none).
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u "$OWNER" -- "$@"
    else
        "$@"
    fi
}

start() {
    local bin dir
    bin=$(find_bin) || { install_postgres; bin=$(find_bin) || { say "no initdb after installing"; exit 1; }; }
    dir=$(mktemp -d "${TMPDIR:-/tmp}/ecert-pg.XXXXXX")
    OWNER=postgres
    if [[ $(id -u) -eq 0 ]]; then
        getent passwd postgres >/dev/null || OWNER=nobody
        chown "$OWNER" "$dir"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U ecert -A trust -E UTF8 --no-sync --no-instructions >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    # The tests open a few hundred connections at most (several platforms per test binary, two server
    # processes per multi-process test).
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=500 -c shared_buffers=64MB" \
        start >&2 || { cat "$dir/server.log" >&2; exit 1; }
    say "cluster running in $dir (socket only)"
    echo "export ECERT_TEST_POSTGRES='postgres:///postgres?host=$dir&user=ecert'"
    echo "export ECERT_TEST_POSTGRES_DIR='$dir'"
}

stop() {
    local dir=${1:?usage: postgres-test-cluster stop DIR}
    local bin
    bin=$(find_bin) || { say "no PostgreSQL binaries"; exit 1; }
    OWNER=$(stat -c %U "$dir")
    if [[ -d "$dir/data" ]]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    fi
    rm -rf "$dir"
    say "cluster in $dir stopped and removed"
}

case "${1:-}" in
    start) start ;;
    stop) shift; stop "$@" ;;
    *) say "usage: $0 start | stop DIR"; exit 2 ;;
esac
