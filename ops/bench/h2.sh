#!/usr/bin/env bash
# HTTP/2 through Gatehouse against nginx and HAProxy, with h2load, on loopback: every proxy takes
# HTTP/2 with prior knowledge (h2c) from h2load and speaks HTTP/1.1 keep-alive to the same two
# nginx upstreams (a 300-byte JSON answer), and checks a bearer header.
#
#   ops/bench/h2.sh            # from the repository root; needs root (or sudo) for apt-get
#
# Installs nginx, haproxy and nghttp2-client (h2load) when missing; builds the node jar when
# missing; stops what it started. Proxies and upstreams on core 0, h2load on core 1. Gatehouse:
# one node on its embedded store, GATEHOUSE_H2C=on, a static route with consumer affinity and
# group RBAC, a real token, access log off. Prints a Markdown table. Bounded: about 4 minutes.
#
# Settings: BENCH_ROUNDS (3), BENCH_REQUESTS (200000 per run), BENCH_CLIENTS (16), BENCH_STREAMS
# (10 concurrent streams per client), BENCH_WARMUP (300000 requests per target),
# BENCH_JAVA_OPTS (-Xms128m -Xmx128m -XX:+UseParallelGC -XX:ActiveProcessorCount=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${BENCH_ROUNDS:-3}
REQUESTS=${BENCH_REQUESTS:-200000}
CLIENTS=${BENCH_CLIENTS:-16}
STREAMS=${BENCH_STREAMS:-10}
WARMUP=${BENCH_WARMUP:-300000}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseParallelGC -XX:ActiveProcessorCount=1}
PROXY_CORE=0 CLIENT_CORE=1
UP1=9701 UP2=9702 NGINX=9711 HAPROXY=9712 GH=9721 GH_ADMIN=9722 GH_MGMT=9723 GH_REMOTE=9724
TOKEN_ADMIN="gth_H2BenchAdmi_$(printf 'A%.0s' {1..43})"
SHARED_BEARER="gth_SharedBench_$(printf 'B%.0s' {1..43})"
source ops/bench/common.sh

ensure_tools nginx haproxy h2load curl taskset
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
[[ -f cluster-node/target/gatehouse-node.jar ]] || mvn -B -q -DskipTests package

WORK=$(mktemp -d /tmp/gatehouse-h2-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$WORK"/*/nginx.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/up" "$WORK/proxy"

nginx_conf "$WORK/up" "server { listen 127.0.0.1:$UP1 reuseport backlog=4096; listen 127.0.0.1:$UP2 reuseport backlog=4096;
    location / { default_type application/json; return 200 '$BENCH_BODY'; } }"
taskset -c $PROXY_CORE "$NGINX_BIN" -c "$WORK/up/nginx.conf" -p "$WORK/up" 2>/dev/null
nginx_conf "$WORK/proxy" "upstream models { server 127.0.0.1:$UP1; server 127.0.0.1:$UP2; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX http2 reuseport backlog=4096;
    if (\$http_authorization != \"Bearer $SHARED_BEARER\") { return 401; }
    location /bench/ { proxy_pass http://models/; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }"
taskset -c $PROXY_CORE "$NGINX_BIN" -c "$WORK/proxy/nginx.conf" -p "$WORK/proxy" 2>/dev/null

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
  bind 127.0.0.1:$HAPROXY proto h2
  http-request deny deny_status 401 unless { req.hdr(authorization) -m str "Bearer $SHARED_BEARER" }
  default_backend models
backend models
  balance roundrobin
  http-request replace-path /bench(/.*) \1
  server a 127.0.0.1:$UP1
  server b 127.0.0.1:$UP2
EOF
taskset -c $PROXY_CORE "$(command -v haproxy || echo /usr/sbin/haproxy)" -f "$WORK/proxy/haproxy.cfg" >/dev/null 2>&1 &
PIDS+=($!)

gh_node "$WORK/gh" cluster-node/target/gatehouse-node.jar $PROXY_CORE "$JAVA_OPTS" $GH $GH_ADMIN $GH_MGMT $GH_REMOTE \
  "$TOKEN_ADMIN" GATEHOUSE_H2C=on
PIDS+=($GH_NODE_PID)
admin() { gh_admin $GH_ADMIN "$TOKEN_ADMIN" "$@"; }
TOKEN=$(gh_bench_user $GH_ADMIN "$TOKEN_ADMIN")
admin POST /routes '{"name":"bench","match":{"pathPrefix":"/bench"},"allowedGroups":["bench"],"affinity":"consumer"}' >/dev/null
for up in $UP1 $UP2; do
  admin POST /registrations "{\"deployment\":\"bench\",\"project\":\"bench\",\"route\":\"bench\",\"address\":\"127.0.0.1:$up\",\"namespace\":\"default\",\"leaseSeconds\":3600}" >/dev/null
done

declare -A URL BEARER
URL[nginx]="http://127.0.0.1:$NGINX/bench/v1/chat/completions"; BEARER[nginx]=$SHARED_BEARER
URL[haproxy]="http://127.0.0.1:$HAPROXY/bench/v1/chat/completions"; BEARER[haproxy]=$SHARED_BEARER
URL[gatehouse]="http://127.0.0.1:$GH/bench/v1/chat/completions"; BEARER[gatehouse]=$TOKEN
TARGETS=(nginx haproxy gatehouse)
h2() {  # target, requests -> h2load output
  taskset -c $CLIENT_CORE h2load -n "$2" -c "$CLIENTS" -m "$STREAMS" -t 1 -H "authorization: Bearer ${BEARER[$1]}" "${URL[$1]}"
}
for t in "${TARGETS[@]}"; do   # each answers over HTTP/2 through its check, and refuses without the token
  out=$(h2 "$t" 100)
  grep -q "100 succeeded, 0 failed, 0 errored" <<<"$out" && grep -q "status codes: 100 2xx" <<<"$out" \
    || { echo "$t does not answer h2c as expected:"; echo "$out"; exit 1; } >&2
done

echo "warming up ..." >&2
for t in "${TARGETS[@]}"; do h2 "$t" "$WARMUP" >/dev/null; done
declare -A RPS MEAN FAILED
for ((r = 1; r <= ROUNDS; r++)); do
  for t in "${TARGETS[@]}"; do
    out=$(h2 "$t" "$REQUESTS")
    rps=$(awk '/^finished in/ { gsub(",", "", $4); print $4 }' <<<"$out")
    mean=$(to_ms "$(awk '/^time for request:/ { print $6 }' <<<"$out")")
    bad=$(awk '/^requests:/ { print $10 + $12 + $14 }' <<<"$out")
    non2xx=$(awk '/^status codes:/ { print $5 + $7 + $9 }' <<<"$out")
    RPS[$t]+="$rps "; MEAN[$t]+="$mean "; FAILED[$t]=$((${FAILED[$t]:-0} + bad + non2xx))
    echo "round $r $t: $rps req/s, mean time per request $mean, failed or non-2xx $((bad + non2xx))" >&2
  done
done
NGINX_RPS=$(tr ' ' '\n' <<<"${RPS[nginx]}" | grep . | median)
echo
machine_line
echo "Run: $ROUNDS rounds of $REQUESTS requests, h2load -c $CLIENTS -m $STREAMS (h2c); proxies and upstreams on core $PROXY_CORE, h2load on core $CLIENT_CORE; medians. Gatehouse access log off; JVM: $JAVA_OPTS"
echo
echo "| target | req/s | vs nginx | mean time per request | failed or non-2xx |"
echo "|---|---|---|---|---|"
for t in "${TARGETS[@]}"; do
  rps=$(tr ' ' '\n' <<<"${RPS[$t]}" | grep . | median)
  printf "| %s | %.0f | %s | %s ms | %s |\n" "$t" "$rps" \
    "$(awk -v a="$rps" -v b="$NGINX_RPS" 'BEGIN { printf "%.2fx", a / b }')" \
    "$(tr ' ' '\n' <<<"${MEAN[$t]}" | grep . | median)" "${FAILED[$t]}"
done
