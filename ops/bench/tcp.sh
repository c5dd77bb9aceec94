#!/usr/bin/env bash
# TCP through Gatehouse against direct and HAProxy (mode tcp), on loopback: iperf3 throughput and
# the added connect latency (a new connection, one byte there and back), through a session port
# and through the WebSocket tunnel (the gatehouse CLI on a local port).
#
#   ops/bench/tcp.sh            # from the repository root; needs root (or sudo) for apt-get
#
# Installs iperf3, haproxy and python3 from Debian's packages when missing; builds the node jar and
# the CLI when missing; stops what it started. The gateway (and HAProxy) run on core 0, the
# clients, servers and the CLI on core 1; Gatehouse as one node on its embedded store, its access
# log off. Prints a Markdown table. Bounded: about 3 minutes.
#
# Settings: BENCH_ROUNDS (3), BENCH_SECONDS (10, per iperf3 run), BENCH_CONNECTS (300, per
# latency run), BENCH_JAVA_OPTS (-Xms128m -Xmx128m -XX:+UseParallelGC -XX:ActiveProcessorCount=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECONDS:-10}
CONNECTS=${BENCH_CONNECTS:-300}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseParallelGC -XX:ActiveProcessorCount=1}
GW_CORE=0 CLIENT_CORE=1
IPERF=9601 ECHO=9602 HAPROXY=9611 GH=9621 GH_ADMIN=9622 GH_MGMT=9623 GH_REMOTE=9624
TUNNEL_IPERF=9631 TUNNEL_ECHO=9632 SESSION_FIRST=9640
TOKEN_ADMIN="gth_TcpBenchAdm_$(printf 'A%.0s' {1..43})"
source ops/bench/common.sh

ensure_tools iperf3 haproxy python3 curl taskset
[[ -f cluster-node/target/gatehouse-node.jar && -x ops/target/gatehouse ]] || mvn -B -q -DskipTests package

WORK=$(mktemp -d /tmp/gatehouse-tcp-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
background() {  # core, command... (its pid is kept to be stopped)
  local core=$1; shift
  taskset -c "$core" "$@" &
  PIDS+=($!)
}

# ---- the services: iperf3, and a one-byte echo for connect latency ---------------------------
background $CLIENT_CORE iperf3 -s -B 127.0.0.1 -p $IPERF >/dev/null 2>&1
cat > "$WORK/echo.py" <<'EOF'
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(512)
def serve(c):
    with c:
        while (b := c.recv(65536)):
            c.sendall(b)
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
background $CLIENT_CORE python3 "$WORK/echo.py" $ECHO
cat > "$WORK/connects.py" <<'EOF'
# n new connections, one after the other: connect, send a byte, read it back; the median and p99 in ms.
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
times = []
for _ in range(n):
    t = time.perf_counter()
    c = socket.create_connection(("127.0.0.1", port)); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.sendall(b"x")
    assert c.recv(1) == b"x"
    times.append((time.perf_counter() - t) * 1000); c.close()
times.sort()
print("%.3f %.3f" % (times[len(times) // 2], times[int(len(times) * 0.99) - 1]))
EOF

# ---- HAProxy in TCP mode, as the reference proxy ---------------------------------------------
cat > "$WORK/haproxy.cfg" <<EOF
global
  nbthread 1
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen iperf
  bind 127.0.0.1:$HAPROXY
  server s 127.0.0.1:$IPERF
listen echo
  bind 127.0.0.1:$((HAPROXY + 1))
  server s 127.0.0.1:$ECHO
EOF
background $GW_CORE "$(command -v haproxy || echo /usr/sbin/haproxy)" -f "$WORK/haproxy.cfg"

# ---- Gatehouse: two tcp routes, a token, session ports, the CLI's tunnels --------------------
gh_node "$WORK/gh" cluster-node/target/gatehouse-node.jar $GW_CORE "$JAVA_OPTS" $GH $GH_ADMIN $GH_MGMT $GH_REMOTE \
  "$TOKEN_ADMIN" GATEHOUSE_TCP_PORTS=$SESSION_FIRST-$((SESSION_FIRST + 9))
PIDS+=($GH_NODE_PID)
admin() { gh_admin $GH_ADMIN "$TOKEN_ADMIN" "$@"; }
TOKEN=$(gh_bench_user $GH_ADMIN "$TOKEN_ADMIN")
for r in iperf:$IPERF echo:$ECHO; do
  admin POST /routes "{\"name\":\"${r%%:*}\",\"protocol\":\"tcp\",\"allowedGroups\":[\"bench\"]}" >/dev/null
  admin POST /registrations "{\"deployment\":\"${r%%:*}\",\"project\":\"bench\",\"route\":\"${r%%:*}\",\"address\":\"127.0.0.1:${r##*:}\",\"protocol\":\"tcp\",\"namespace\":\"default\",\"leaseSeconds\":3600}" >/dev/null
done
session_port() {  # route -> a new session port
  curl -sf -X POST "localhost:$GH/_gatehouse/tcp-sessions" -H "Authorization: Bearer $TOKEN" -d "{\"route\":\"$1\"}" \
    | sed 's/.*"port":\([0-9]*\).*/\1/'
}
SP_IPERF=$(session_port iperf)
SP_ECHO=$(session_port echo)
for t in iperf:$TUNNEL_IPERF echo:$TUNNEL_ECHO; do
  GATEHOUSE_GATEWAY=http://127.0.0.1:$GH GATEHOUSE_TOKEN=$TOKEN \
    background $CLIENT_CORE ops/target/gatehouse tunnel "${t%%:*}" --local-port "${t##*:}" 2>>"$WORK/cli.log"
done
for p in $TUNNEL_IPERF $TUNNEL_ECHO; do
  for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done
done

declare -A IPERF_PORT=([direct]=$IPERF [haproxy]=$HAPROXY [session-port]=$SP_IPERF [tunnel]=$TUNNEL_IPERF)
declare -A ECHO_PORT=([direct]=$ECHO [haproxy]=$((HAPROXY + 1)) [session-port]=$SP_ECHO [tunnel]=$TUNNEL_ECHO)
TARGETS=(direct haproxy session-port tunnel)
gbits() { taskset -c $CLIENT_CORE iperf3 -c 127.0.0.1 -p "$1" -t "$2" -J | python3 -c \
  'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'; }

echo "warming up ..." >&2
for t in "${TARGETS[@]}"; do
  gbits "${IPERF_PORT[$t]}" 5 >/dev/null
  taskset -c $CLIENT_CORE python3 "$WORK/connects.py" "${ECHO_PORT[$t]}" 1000 >/dev/null
done
declare -A GBITS P50 P99
for ((r = 1; r <= ROUNDS; r++)); do
  for t in "${TARGETS[@]}"; do
    g=$(gbits "${IPERF_PORT[$t]}" "$SECS")
    read -r p50 p99 < <(taskset -c $CLIENT_CORE python3 "$WORK/connects.py" "${ECHO_PORT[$t]}" "$CONNECTS")
    GBITS[$t]+="$g "; P50[$t]+="$p50 "; P99[$t]+="$p99 "
    echo "round $r $t: $g Gbit/s; connect + 1 byte round trip p50 $p50 ms p99 $p99 ms" >&2
  done
done

DIRECT=$(tr ' ' '\n' <<<"${P50[direct]}" | grep . | median)
DIRECT_G=$(tr ' ' '\n' <<<"${GBITS[direct]}" | grep . | median)
echo
machine_line
echo "Run: $ROUNDS rounds, iperf3 ${SECS}s (one stream), $CONNECTS sequential new connections; gateway on core $GW_CORE, clients, servers and the CLI on core $CLIENT_CORE; medians. JVM: $JAVA_OPTS"
echo
echo "| path | throughput | vs direct | connect + 1-byte round trip p50 | added p50 | p99 |"
echo "|---|---|---|---|---|---|"
for t in "${TARGETS[@]}"; do
  g=$(tr ' ' '\n' <<<"${GBITS[$t]}" | grep . | median)
  p50=$(tr ' ' '\n' <<<"${P50[$t]}" | grep . | median)
  p99=$(tr ' ' '\n' <<<"${P99[$t]}" | grep . | median)
  printf "| %s | %s Gbit/s | %s | %s ms | %s | %s ms |\n" "$t" "$g" \
    "$(awk -v a="$g" -v b="$DIRECT_G" 'BEGIN { printf "%.2fx", a / b }')" "$p50" \
    "$(awk -v a="$p50" -v b="$DIRECT" 'BEGIN { printf "%+.3f ms", a - b }')" "$p99"
done
