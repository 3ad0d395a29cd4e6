#!/usr/bin/env bash
# Starts or stops a Grid cluster on this machine's loopback: a head (with its own redis-server) and N
# workers, each a separate `grid` process, as on separate machines.
#
#   deploy/local-cluster.sh start [N]   head + N workers (default 2), then prints `grid status`
#   deploy/local-cluster.sh stop        stops every node and the head's Redis
#   deploy/local-cluster.sh status
#
# Settings (environment): GRID_PORT (Redis port, 6379), GRID_PASSWORD (generated when unset and kept in
# the state dir), GRID_NUM_CPUS (CPUs per node, 2), GRID_STATE_DIR ($XDG_RUNTIME_DIR/grid, else ~/.grid), GRID_CODE_PATH
# (directories of task assemblies every node may load, separated by ':').
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
grid="$root/grid"
port="${GRID_PORT:-6379}"
cpus="${GRID_NUM_CPUS:-2}"
state="${GRID_STATE_DIR:-${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/grid}}"
state="${state:-$HOME/.grid}"

code_args=()
IFS=':' read -r -a code_dirs <<< "${GRID_CODE_PATH:-}"
for dir in "${code_dirs[@]}"; do [ -n "$dir" ] && code_args+=(--code-path "$dir"); done

case "${1:-}" in
  start)
    workers="${2:-2}"
    password="${GRID_PASSWORD:-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
    export GRID_PASSWORD="$password"
    "$grid" start --head --port "$port" --num-cpus "$cpus" --node-ip-address 127.0.0.1 ${code_args[@]+"${code_args[@]}"}
    for i in $(seq 1 "$workers"); do
      "$grid" start --address "127.0.0.1:$port" --num-cpus "$cpus" --node-ip-address 127.0.0.1 \
        --labels "worker=$i" ${code_args[@]+"${code_args[@]}"}
    done
    "$grid" status
    echo "Connect with GridClient.ConnectAsync(\"auto\") on this machine, or address 127.0.0.1:$port and the password in $state/current-cluster.json."
    ;;
  stop)
    "$grid" stop
    ;;
  status)
    "$grid" status
    ;;
  *)
    echo "usage: $0 start [N] | stop | status" >&2
    exit 2
    ;;
esac
