#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the PostgreSQL tests, on a loopback port, owned and run by
# an unprivileged user (the server refuses to run as root). TLS is on, with a certificate for
# localhost and 127.0.0.1 signed by a CA made here, so the tests can check `sslmode=verify-full`
# both ways. Passwords are scram-sha-256. Prints the environment the tests read:
#
#   eval "$(tests/support/pg_cluster.sh /tmp/ptclinic-pg)"     ($dir/stop stops it)
#
# Needs Debian's postgresql package (initdb, pg_ctl) and openssl.
set -euo pipefail

dir=${1:-/tmp/ptclinic-pg}
port=${PTCLINIC_PG_PORT:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
owner=postgres
id "$owner" >/dev/null 2>&1 || owner=nobody
password=ptclinic-test-only

if [ -f "$dir/data/postmaster.pid" ]; then
  runuser -u "$owner" -- "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
fi
rm -rf "$dir"
mkdir -p "$dir/certs"
cd "$dir/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=ptclinic test CA" \
  -keyout ca.key -out ca.crt >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout server.key -out server.csr >/dev/null 2>&1
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >san.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
  -extfile san.ext -out server.crt >/dev/null 2>&1
chmod 600 server.key ca.key
printf '%s\n' "$password" >"$dir/pwfile"
chown -R "$owner" "$dir"

runuser -u "$owner" -- "$bin/initdb" -D "$dir/data" -U ptclinic --pwfile="$dir/pwfile" \
  -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
ssl = on
ssl_cert_file = '$dir/certs/server.crt'
ssl_key_file = '$dir/certs/server.key'
max_connections = 120
# A test cluster: durability is not what the tests check.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
runuser -u "$owner" -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
printf '#!/bin/sh\nrunuser -u %s -- %s/pg_ctl -D %s/data -m fast stop >/dev/null 2>&1 || true\n' \
  "$owner" "$bin" "$dir" >"$dir/stop"
chmod 755 "$dir/stop"

echo "export PTCLINIC_TEST_PG='postgres://ptclinic@127.0.0.1:$port/postgres'"
echo "export PTCLINIC_TEST_PG_CA='$dir/certs/ca.crt'"
echo "export PGPASSWORD='$password'"
