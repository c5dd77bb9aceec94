#!/usr/bin/env bash
# Scale figures (cluster-node: io.gatehouse.node.scale.ScaleFigures):
#   - bytes per cached token and per pinned consumer in a node's caches, 1,000,000 of each;
#   - bytes per consumer session in a running node, while its actor is awake and after it
#     passivated (session actors, the route's accounting, the pin cache), with SCALE_SESSIONS
#     (100,000) new consumers;
#   - 10,000 idle keep-alive connections through one node, each answering again after 20 s idle;
#   - 1,000 concurrent SSE streams through one node, every event arriving incrementally.
#
#   ops/bench/scale.sh            # from the repository root
#
# The node runs as its own process (the jar, on its embedded store, SCALE_NODE_OPTS) so that the
# client and the node each have their own file-descriptor limit. SCALE_PARTS picks parts
# (memory,sessions,idle,sse). Stops what it started. Bounded:
# about 9 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
SESSIONS=${SCALE_SESSIONS:-100000}
PARTS=${SCALE_PARTS:-memory,sessions,idle,sse}
NODE_OPTS=${SCALE_NODE_OPTS:--Xms2g -Xmx2g -XX:+UseParallelGC}
DATA=8484 ADMIN=9494 PROBE=9201
TOKEN_ADMIN="gth_ScaleAdmin1_$(printf 'A%.0s' {1..43})"
JAR=cluster-node/target/gatehouse-node.jar
source ops/bench/common.sh
CP=$(test_classpath)

WORK=$(mktemp -d /tmp/gatehouse-scale.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 2
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ $PARTS == *memory* ]]; then
  echo "== caches, in one JVM (-Xmx3g, serial GC for exact live-heap readings)"
  timeout 600 java -Xms3g -Xmx3g -XX:+UseSerialGC -cp "$CP" io.gatehouse.node.scale.ScaleFigures memory
fi
[[ $PARTS == *sessions* || $PARTS == *idle* || $PARTS == *sse* ]] || exit 0

echo "== one node ($NODE_OPTS), its own process"
java -jar "$JAR" probe --port $PROBE --id scale-probe > "$WORK/probe.log" 2>&1 &
PIDS+=($!)
GATEHOUSE_DATA_DIR="$WORK/node" GATEHOUSE_BOOTSTRAP_TOKEN="$TOKEN_ADMIN" GATEHOUSE_HTTP_PORT=$DATA \
  GATEHOUSE_ADMIN_PORT=$ADMIN GATEHOUSE_MANAGEMENT_PORT=7494 GATEHOUSE_REMOTE_PORT=7495 GATEHOUSE_ACCESS_LOG=off \
  java $NODE_OPTS -jar "$JAR" > "$WORK/node.log" 2>&1 &
NODE_PID=$!
PIDS+=($NODE_PID)
wait_node_ready 7494 $NODE_PID "$WORK/node.log"
timeout 1200 java -Xmx1g -Dscale.parts="$PARTS" -cp "$CP" io.gatehouse.node.scale.ScaleFigures node $DATA $ADMIN "$TOKEN_ADMIN" $NODE_PID $PROBE "$SESSIONS" \
  || { echo "--- node log (tail)"; tail -20 "$WORK/node.log"; exit 1; }
