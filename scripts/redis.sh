#!/usr/bin/env bash
# A private redis-server on 127.0.0.1 for tests, CI and demos (never on another interface).
#
#   scripts/redis.sh install            install redis-server with apt-get unless it is on PATH
#   scripts/redis.sh start PORT DIR     start one on 127.0.0.1:PORT keeping its files in DIR; prints its URL
#   scripts/redis.sh stop PORT          shut down the one this script started on PORT
#   scripts/redis.sh url PORT           print its URL, redis://127.0.0.1:PORT/0
#
# start and stop are idempotent. The server daemonizes, writes DIR/redis-PORT.pid and
# DIR/redis-PORT.log, keeps an append-only file in DIR (fsync every second) and no RDB
# snapshots, and never evicts keys (a full server refuses writes). Use one DIR per instance.
set -euo pipefail

die() { echo "redis.sh: $*" >&2; exit 1; }
usage() { sed -n '4,8p' "$0" | sed 's/^# *//' >&2; exit 2; }

check_port() {
  [[ "$1" =~ ^[0-9]+$ ]] && (( $1 >= 1 && $1 <= 65535 )) || die "PORT must be 1-65535"
}

cli() { timeout 5 redis-cli -h 127.0.0.1 -p "$1" "${@:2}" 2>/dev/null; }

answers() { [[ "$(cli "$1" ping)" == PONG ]]; }

url() { echo "redis://127.0.0.1:$1/0"; }

install() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  command -v apt-get >/dev/null || die "redis-server is missing and there is no apt-get; install redis-server (>= 6)"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  echo "redis.sh: installing redis-server with apt-get" >&2
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq redis-server >&2
}

# The pid that answers on PORT, if it is the one whose pidfile this script wrote.
ours() {
  local port=$1 pidfile
  pidfile=$(cli "$port" config get pidfile | sed -n 2p)
  [[ "$pidfile" == */redis-"$port".pid && -f "$pidfile" ]] || return 1
  [[ "$(cli "$port" info server | tr -d '\r' | sed -n 's/^process_id://p')" == "$(cat "$pidfile")" ]]
}

start() {
  local port=$1 dir=$2
  check_port "$port"
  install
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if answers "$port"; then
    ours "$port" || die "127.0.0.1:$port is taken by a server this script did not start"
    url "$port"
    return 0
  fi
  local log="$dir/redis-$port.log"
  redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes --daemonize yes --supervised no \
    --pidfile "$dir/redis-$port.pid" --logfile "$log" --dir "$dir" \
    --save '' --appendonly yes --appendfsync everysec --maxmemory-policy noeviction </dev/null >>"$log" 2>&1 \
    || { tail -n 20 "$log" >&2; die "redis-server refused to start (log: $log)"; }
  for _ in $(seq 100); do
    answers "$port" && { url "$port"; return 0; }
    sleep 0.1
  done
  tail -n 20 "$log" >&2
  die "redis-server did not answer on 127.0.0.1:$port within 10 s (log: $log)"
}

stop() {
  local port=$1
  check_port "$port"
  command -v redis-cli >/dev/null || return 0
  answers "$port" || return 0
  ours "$port" || die "127.0.0.1:$port is a server this script did not start; not stopping it"
  cli "$port" shutdown >/dev/null || true
  for _ in $(seq 100); do
    answers "$port" || return 0
    sleep 0.1
  done
  die "redis-server on 127.0.0.1:$port did not stop within 10 s"
}

case "${1:-}" in
  install) (( $# == 1 )) || usage; install ;;
  start) (( $# == 3 )) || usage; start "$2" "$3" ;;
  stop) (( $# == 2 )) || usage; stop "$2" ;;
  url) (( $# == 2 )) || usage; check_port "$2"; url "$2" ;;
  *) usage ;;
esac
