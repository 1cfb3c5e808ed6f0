# Sourced by ./test: starts throwaway PostgreSQL and Redis servers (Debian packages, no Docker) on
# free loopback ports for the tests that need them, exports their URLs, and stops them (and removes
# their data) when the calling shell exits. Nothing listens beyond 127.0.0.1.
#   VIREO_TEST_POSTGRES_URL  jdbc:postgresql://127.0.0.1:PORT/postgres?user=vireo
#   VIREO_TEST_REDIS_URL     redis://127.0.0.1:PORT

vireo_free_port() { # prints a TCP port that nothing listens on now
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

vireo_pg_bin() { # the newest installed PostgreSQL server's bin directory
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [ -n "$d" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

vireo_start_test_services() {
  local base pg port runas=()
  base=$(mktemp -d /tmp/vireo-test-services.XXXXXX)
  chmod 755 "$base"
  VIREO_TEST_SERVICES_DIR=$base
  trap vireo_stop_test_services EXIT

  if pg=$(vireo_pg_bin); then
    # PostgreSQL refuses to run as root: run it as the postgres user the package created.
    if [ "$(id -u)" -eq 0 ]; then runas=(runuser -u postgres --); fi
    mkdir -p "$base/pg"
    if [ ${#runas[@]} -gt 0 ]; then chown postgres "$base/pg"; fi
    port=$(vireo_free_port)
    if "${runas[@]}" "$pg/initdb" -D "$base/pg/data" -U vireo --auth=trust -E UTF8 >"$base/pg.log" 2>&1 &&
       "${runas[@]}" "$pg/pg_ctl" -D "$base/pg/data" -l "$base/pg/server.log" -w -t 60 \
         -o "-c listen_addresses=127.0.0.1 -p $port -k $base/pg -c fsync=off" start >>"$base/pg.log" 2>&1; then
      export VIREO_TEST_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$port/postgres?user=vireo"
      VIREO_TEST_PG_STOP=("${runas[@]}" "$pg/pg_ctl" -D "$base/pg/data" -m fast -w stop)
      echo "test: PostgreSQL on 127.0.0.1:$port" >&2
    else
      echo "test: PostgreSQL did not start (log follows); its tests will fail or skip" >&2
      cat "$base/pg.log" >&2 || true
    fi
  fi

  if command -v redis-server >/dev/null 2>&1; then
    port=$(vireo_free_port)
    if redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
         --pidfile "$base/redis.pid" --logfile "$base/redis.log" --dir "$base" >/dev/null 2>&1; then
      export VIREO_TEST_REDIS_URL="redis://127.0.0.1:$port"
      echo "test: Redis on 127.0.0.1:$port" >&2
    fi
  fi
}

vireo_stop_test_services() {
  local base=${VIREO_TEST_SERVICES_DIR:-}
  [ -n "$base" ] || return 0
  if [ -n "${VIREO_TEST_PG_STOP+x}" ]; then "${VIREO_TEST_PG_STOP[@]}" >/dev/null 2>&1 || true; fi
  if [ -f "$base/redis.pid" ]; then kill "$(cat "$base/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$base"
}
