#!/usr/bin/env bash
# Gatehouse next to nginx and HAProxy, on loopback, with the same two upstreams for every target.
#
#   ops/bench/run.sh            # from the repository root; needs root (or sudo) for apt-get
#
# Installs nginx, haproxy, wrk and python3 from Debian's packages when missing, builds the node jar
# when missing, and stops everything it started. Proxies and upstreams run on core 0, wrk on
# core 1 (taskset). Each proxy checks a bearer header; Gatehouse runs as one node on its embedded
# store with a static route ("affinity":"consumer", group RBAC) and a real token, access log off
# unless BENCH_ACCESS_LOG=on. Prints a Markdown table. Bounded: about 9 minutes.
#
# Settings (environment): BENCH_ROUNDS (3), BENCH_SECONDS (10), BENCH_CONNECTIONS (64),
# BENCH_LATENCY_SECONDS (10), BENCH_WARMUP_SECONDS (30, per target, so the JVM's JIT has compiled
# the request path as it would in a long-running gateway), BENCH_SSE_WARMUP_RUNS (3000 streams on
# new connections before the 20 that are timed, for the same reason), BENCH_ACCESS_LOG (off),
# BENCH_JAVA_OPTS (see below), BENCH_TARGETS (all: "direct nginx haproxy gatehouse"), BENCH_JAR (the node
# jar to measure: cluster-node/target/gatehouse-node.jar), BENCH_JAR_B (a second jar, measured beside the
# first as target "gatehouse-b": a before/after comparison in one run, under the same noise), BENCH_JFR (a
# file: record Gatehouse with Java Flight Recorder's profile settings and write it there).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source ops/bench/common.sh

ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
LATENCY_SECONDS=${BENCH_LATENCY_SECONDS:-10}
WARMUP_SECONDS=${BENCH_WARMUP_SECONDS:-30}
ACCESS_LOG=${BENCH_ACCESS_LOG:-off}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseParallelGC}
[[ -n ${BENCH_JFR:-} ]] && JAVA_OPTS+=" -XX:StartFlightRecording=settings=profile,filename=$BENCH_JFR,dumponexit=true"
PROXY_CORE=0
CLIENT_CORE=1

# Ports: upstreams 9101, 9102 (nginx), 9103 (SSE probe); proxies nginx 8181, haproxy 8282,
# gatehouse 8383 (admin 9393, management 7393, remoting 7394).
UP1=9101 UP2=9102 SSE_UP=9103 NGINX=8181 HAPROXY=8282 GH=8383 GH_ADMIN=9393
TOKEN_ADMIN="gth_BenchAdmin1_$(printf 'A%.0s' {1..43})"
SHARED_BEARER="gth_SharedBench_$(printf 'B%.0s' {1..43})"   # what nginx and HAProxy check

ensure_tools nginx haproxy wrk python3 curl taskset
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY_BIN=$(command -v haproxy || echo /usr/sbin/haproxy)
JAR=${BENCH_JAR:-cluster-node/target/gatehouse-node.jar}
[[ -f $JAR ]] || mvn -B -q -DskipTests package

WORK=$(mktemp -d /tmp/gatehouse-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -n ${GH_PID:-} ]] && for _ in $(seq 1 100); do kill -0 "$GH_PID" 2>/dev/null || break; sleep 0.1; done
  [[ -f $WORK/up/nginx.pid ]] && kill "$(cat "$WORK/up/nginx.pid")" 2>/dev/null || true
  [[ -f $WORK/proxy/nginx.pid ]] && kill "$(cat "$WORK/proxy/nginx.pid")" 2>/dev/null || true
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/up" "$WORK/proxy" "$WORK/gh"

wait_port() {  # port, what
  for _ in $(seq 1 300); do
    (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$2 did not listen on $1" >&2
  exit 1
}

# ---- upstreams: nginx answering a 300-byte JSON on two ports; the probe for SSE ----------------
nginx_conf "$WORK/up" "server {
    listen 127.0.0.1:$UP1 reuseport backlog=4096;
    listen 127.0.0.1:$UP2 reuseport backlog=4096;
    location / { default_type application/json; return 200 '$BENCH_BODY'; }
  }"
taskset -c $PROXY_CORE "$NGINX_BIN" -c "$WORK/up/nginx.conf" -p "$WORK/up" 2>/dev/null
java -XX:+UseSerialGC -Xmx64m -jar "$JAR" probe --port $SSE_UP --id sse-upstream >/dev/null 2>&1 &
PIDS+=($!)
taskset -cp $PROXY_CORE $! >/dev/null
wait_port $UP1 "upstream nginx"; wait_port $SSE_UP "SSE probe"

# ---- nginx as a reverse proxy ----------------------------------------------------------------
nginx_conf "$WORK/proxy" "upstream models { server 127.0.0.1:$UP1; server 127.0.0.1:$UP2; keepalive 128; }
  upstream sse { server 127.0.0.1:$SSE_UP; keepalive 16; }
  server {
    listen 127.0.0.1:$NGINX reuseport backlog=4096;
    if (\$http_authorization != \"Bearer $SHARED_BEARER\") { return 401; }
    location /bench/ {
      proxy_pass http://models/;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
    }
    location /bench-sse/ {
      proxy_pass http://sse/;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_buffering off;
    }
  }"
taskset -c $PROXY_CORE "$NGINX_BIN" -c "$WORK/proxy/nginx.conf" -p "$WORK/proxy" 2>/dev/null
wait_port $NGINX "nginx proxy"

# ---- HAProxy -----------------------------------------------------------------------------------
cat > "$WORK/proxy/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 300s
  timeout server 300s
  option http-keep-alive
  http-reuse always
frontend bench
  bind 127.0.0.1:$HAPROXY
  http-request deny deny_status 401 unless { req.hdr(authorization) -m str "Bearer $SHARED_BEARER" }
  use_backend sse if { path_beg /bench-sse/ }
  default_backend models
backend models
  balance roundrobin
  http-request replace-path /bench(/.*) \1
  server a 127.0.0.1:$UP1
  server b 127.0.0.1:$UP2
backend sse
  option http-no-delay
  http-request replace-path /bench-sse(/.*) \1
  server s 127.0.0.1:$SSE_UP
EOF
taskset -c $PROXY_CORE "$HAPROXY_BIN" -f "$WORK/proxy/haproxy.cfg" >/dev/null 2>&1 &
PIDS+=($!)
wait_port $HAPROXY "haproxy"

# ---- Gatehouse: one node, a static route with consumer affinity and group RBAC, a real token ----
start_gatehouse() {  # name, jar, data plane port, admin port, management port, remoting port -> sets GH_TOKEN_<name>
  local name=$1 jar=$2 port=$3 adminport=$4 mgmt=$5 remote=$6
  GH_ACCESS_LOG=$ACCESS_LOG gh_node "$WORK/$name" "$jar" $PROXY_CORE "$JAVA_OPTS" $port $adminport $mgmt $remote "$TOKEN_ADMIN"
  PIDS+=($GH_NODE_PID)
  GH_PIDS[$name]=$GH_NODE_PID
  admin() { gh_admin $adminport "$TOKEN_ADMIN" "$@"; }
  GH_TOKENS[$name]=$(gh_bench_user $adminport "$TOKEN_ADMIN")
  admin POST /routes '{"name":"bench","match":{"pathPrefix":"/bench"},"allowedGroups":["bench"],"affinity":"consumer"}' >/dev/null
  admin POST /routes '{"name":"bench-sse","match":{"pathPrefix":"/bench-sse"},"allowedGroups":["bench"],"affinity":"consumer"}' >/dev/null
  for up in $UP1 $UP2; do
    admin POST /registrations "{\"deployment\":\"bench\",\"project\":\"bench\",\"route\":\"bench\",\"address\":\"127.0.0.1:$up\",\"namespace\":\"default\",\"leaseSeconds\":3600}" >/dev/null
  done
  admin POST /registrations "{\"deployment\":\"bench-sse\",\"project\":\"bench\",\"route\":\"bench-sse\",\"address\":\"127.0.0.1:$SSE_UP\",\"healthPath\":\"/health\",\"namespace\":\"default\",\"leaseSeconds\":3600}" >/dev/null
}
declare -A GH_PIDS GH_TOKENS
start_gatehouse gatehouse "$JAR" $GH $GH_ADMIN 7393 7394
GH_PID=${GH_PIDS[gatehouse]}
# A second build beside the first, for before/after comparisons in one run (BENCH_JAR_B).
if [[ -n ${BENCH_JAR_B:-} ]]; then
  start_gatehouse gatehouse-b "$BENCH_JAR_B" 8484 9494 7494 7495
fi

# ---- the runs ----------------------------------------------------------------------------------
declare -A URL BEARER
URL[direct]="http://127.0.0.1:$UP1/v1/chat/completions"; BEARER[direct]="$SHARED_BEARER"
URL[nginx]="http://127.0.0.1:$NGINX/bench/v1/chat/completions"; BEARER[nginx]="$SHARED_BEARER"
URL[haproxy]="http://127.0.0.1:$HAPROXY/bench/v1/chat/completions"; BEARER[haproxy]="$SHARED_BEARER"
URL[gatehouse]="http://127.0.0.1:$GH/bench/v1/chat/completions"; BEARER[gatehouse]="${GH_TOKENS[gatehouse]}"
URL[gatehouse-b]="http://127.0.0.1:8484/bench/v1/chat/completions"; BEARER[gatehouse-b]="${GH_TOKENS[gatehouse-b]:-}"
read -r -a TARGETS <<<"${BENCH_TARGETS:-direct nginx haproxy gatehouse${BENCH_JAR_B:+ gatehouse-b}}"

for t in "${TARGETS[@]}"; do   # every target answers the body through its checks, and refuses without
  body=$(curl -sf "${URL[$t]}" -H "Authorization: Bearer ${BEARER[$t]}")
  [[ ${#body} -eq 300 ]] || { echo "$t answered ${#body} bytes: $body" >&2; exit 1; }
  if [[ $t != direct ]]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' "${URL[$t]}")
    [[ $code == 401 ]] || { echo "$t answered $code without a token" >&2; exit 1; }
  fi
done

wrk_run() {  # target, connections, seconds, extra args -> wrk output
  taskset -c $CLIENT_CORE wrk -t1 -c"$2" -d"$3"s "${@:4}" -H "Authorization: Bearer ${BEARER[$1]}" "${URL[$1]}"
}

echo "warming up ..." >&2
for t in "${TARGETS[@]}"; do wrk_run "$t" "$CONNECTIONS" "$WARMUP_SECONDS" >/dev/null; done

# CPU time per request (user + system of the proxy's processes, over the 64-connection run): steadier
# than throughput on a machine whose neighbours take cycles at random.
HZ=$(getconf CLK_TCK)
proc_pids() {  # target -> the pids whose CPU counts for it
  case $1 in
    nginx) cat "$WORK/proxy/nginx.pid"; pgrep -P "$(cat "$WORK/proxy/nginx.pid")" ;;
    haproxy) pgrep -f "haproxy -f $WORK/proxy/haproxy.cfg" | head -1 ;;
    gatehouse*) echo "${GH_PIDS[$1]}" ;;
  esac
}
cpu_ticks() {  # target -> utime + stime of its processes, in clock ticks
  local sum=0
  for p in $(proc_pids "$1"); do sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done
  echo $sum
}

declare -A RPS P50 P99 ERRS CPU
for ((r = 1; r <= ROUNDS; r++)); do
  order=("${TARGETS[@]}")
  if ((r % 2 == 0)); then
    order=()
    for ((i = ${#TARGETS[@]} - 1; i >= 0; i--)); do order+=("${TARGETS[i]}"); done
  fi
  for t in "${order[@]}"; do
    ticks=$([[ $t == direct ]] && echo 0 || cpu_ticks "$t")
    out=$(wrk_run "$t" "$CONNECTIONS" "$SECONDS_PER_RUN")
    rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
    cpu="-"
    if [[ $t != direct ]]; then
      cpu=$(awk -v d=$(($(cpu_ticks "$t") - ticks)) -v n="$(awk '/requests in/ { print $1 }' <<<"$out")" -v hz="$HZ" \
        'BEGIN { printf "%.1f", d * 1e6 / hz / n }')
      CPU[$t]+="$cpu "
    fi
    errs=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out")
    RPS[$t]+="$rps "
    [[ -n $errs ]] && ERRS[$t]+="$errs; "
    lat=$(wrk_run "$t" 1 "$LATENCY_SECONDS" --latency)
    P50[$t]+="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$lat")") "
    P99[$t]+="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$lat")") "
    echo "round $r $t: $rps req/s, $cpu us CPU per request; at 1 connection p50 $(awk '$1 == "50%" { print $2 }' <<<"$lat") p99 $(awk '$1 == "99%" { print $2 }' <<<"$lat")" >&2
  done
done

declare -A SSE
declare -A SSE_PORT=([direct]=$SSE_UP [nginx]=$NGINX [haproxy]=$HAPROXY [gatehouse]=$GH [gatehouse-b]=8484)
for t in "${TARGETS[@]}"; do
  path="/bench-sse/sse?events=5&intervalMs=100"
  [[ $t == direct ]] && path="/sse?events=5&intervalMs=100"
  # Warm the streaming path (new connections, chunked answers) first, then measure.
  python3 ops/bench/sse_timing.py "${SSE_PORT[$t]}" "${path%%\?*}?events=1&intervalMs=1" "${BEARER[$t]}" "${BENCH_SSE_WARMUP_RUNS:-3000}" 1 0 >/dev/null
  SSE[$t]=$(python3 ops/bench/sse_timing.py "${SSE_PORT[$t]}" "$path" "${BEARER[$t]}" 20 5 100)
done

rss_kib() { { cat "$@" 2>/dev/null || true; } | awk '/VmRSS/ { s += $2 } END { print s + 0 }'; }  # a missing process: 0
NGINX_MASTER=$(cat "$WORK/proxy/nginx.pid")
RSS_NGINX=$(rss_kib /proc/$NGINX_MASTER/status $(for p in $(pgrep -P "$NGINX_MASTER"); do echo /proc/$p/status; done))
RSS_HAPROXY=$(rss_kib /proc/$(pgrep -f "haproxy -f $WORK/proxy/haproxy.cfg" | head -1)/status)
RSS_GH=$(rss_kib /proc/$GH_PID/status)
RSS_GH_B=$(rss_kib /proc/${GH_PIDS[gatehouse-b]:-0}/status)

NGINX_RPS=$(tr ' ' '\n' <<<"${RPS[nginx]:-0}" | grep . | median)
DIRECT_P50=$(tr ' ' '\n' <<<"${P50[direct]:-0}" | grep . | median)
DIRECT_P99=$(tr ' ' '\n' <<<"${P99[direct]:-0}" | grep . | median)
DIRECT_SSE=$(sed 's/.*"firstChunkMs": \([0-9.]*\).*/\1/' <<<"${SSE[direct]:-0}")

echo
machine_line
echo "Run: $ROUNDS rounds in alternating order, ${SECONDS_PER_RUN}s at $CONNECTIONS connections, ${LATENCY_SECONDS}s at 1 connection; proxies and upstreams on core $PROXY_CORE, wrk on core $CLIENT_CORE; medians. Gatehouse access log: $ACCESS_LOG; JVM: $JAVA_OPTS"
echo
echo "| target | req/s ($CONNECTIONS conn) | vs nginx | CPU per request | p50 at 1 conn | added p50 | added p99 | SSE first chunk | SSE incremental | RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for t in "${TARGETS[@]}"; do
  rps=$(tr ' ' '\n' <<<"${RPS[$t]}" | grep . | median)
  p50=$(tr ' ' '\n' <<<"${P50[$t]}" | grep . | median)
  p99=$(tr ' ' '\n' <<<"${P99[$t]}" | grep . | median)
  first=$(sed 's/.*"firstChunkMs": \([0-9.]*\).*/\1/' <<<"${SSE[$t]}")
  inc=$(sed 's/.*"incremental": \([a-z]*\).*/\1/' <<<"${SSE[$t]}")
  case $t in
    direct) rss="-"; added50="-"; added99="-" ;;
    *) added50=$(awk -v a="$p50" -v b="$DIRECT_P50" 'BEGIN { printf "%+.3f ms", a - b }')
       added99=$(awk -v a="$p99" -v b="$DIRECT_P99" 'BEGIN { printf "%+.3f ms", a - b }') ;;
  esac
  case $t in
    nginx) rss="$((RSS_NGINX / 1024)) MiB" ;;
    haproxy) rss="$((RSS_HAPROXY / 1024)) MiB" ;;
    gatehouse) rss="$((RSS_GH / 1024)) MiB" ;;
    gatehouse-b) rss="$((RSS_GH_B / 1024)) MiB" ;;
  esac
  cpu=$([[ $t == direct ]] && echo "-" || echo "$(tr ' ' '\n' <<<"${CPU[$t]}" | grep . | median) us")
  printf "| %s | %.0f | %s | %s | %.3f ms | %s | %s | %.2f ms (%+.2f) | %s | %s |\n" "$t" "$rps" \
    "$(awk -v a="$rps" -v b="$NGINX_RPS" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "-" }')" "$cpu" "$p50" "$added50" "$added99" \
    "$first" "$(awk -v a="$first" -v b="$DIRECT_SSE" 'BEGIN { print a - b }')" "$inc" "$rss"
done
for t in "${TARGETS[@]}"; do
  [[ -n ${ERRS[$t]:-} ]] && echo "errors on $t: ${ERRS[$t]}"
done
exit 0
