#!/usr/bin/env bash
# A throwaway PostgreSQL server for olfato's tests, on loopback only.
#
#   scripts/postgres-test.sh start DIR PORT   -> prints the database URL on stdout
#   scripts/postgres-test.sh stop DIR
#
# Uses initdb/pg_ctl from PATH or /usr/lib/postgresql/*/bin (Debian's postgresql
# package; scripts/install-system-deps.sh installs it as root). initdb refuses to run
# as root, so as root the cluster belongs to the 'postgres' user (or 'nobody').
# Exit 3 when PostgreSQL is not installed (the tests then skip, saying so).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?folder for the cluster}

bin=""
if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
  bin=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then bin=$d; break; fi
  done
fi
if [ -z "$bin" ]; then
  echo "PostgreSQL (initdb, pg_ctl) is not installed" >&2
  exit 3
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    local user=postgres
    id -u postgres >/dev/null 2>&1 || user=nobody
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    port=${3:?port}
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      user=postgres
      id -u postgres >/dev/null 2>&1 || user=nobody
      chown "$user" "$dir"
    fi
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U olfato --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U olfato olfato_test
    echo "postgresql+psycopg://olfato@127.0.0.1:$port/olfato_test"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
