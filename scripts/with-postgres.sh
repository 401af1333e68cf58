#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster on loopback, runs the given command with DATABASE_URL pointing at
# it, then stops and removes the cluster. initdb refuses to run as root, so as root the cluster belongs to
# the unprivileged user 'nobody'.
set -euo pipefail
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] || pg_bin=$(dirname "$(command -v initdb)")
dir=$(mktemp -d /tmp/fairthread-pg.XXXXXX)
port=${FAIRTHREAD_TEST_PG_PORT:-$(( 54000 + RANDOM % 900 ))}
as_user=()
db_user=$(id -un)
if [ "$(id -u)" = "0" ]; then
  chown nobody "$dir"
  as_user=(runuser -u nobody --)
  db_user=nobody
fi
cleanup() {
  "${as_user[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${as_user[@]}" "$pg_bin/initdb" -D "$dir/data" -U "$db_user" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_user[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" \
  start >/dev/null
export DATABASE_URL="postgres://$db_user@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port"
"$@"
