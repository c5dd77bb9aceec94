# Shared by the scripts in ops/bench (sourced, from the repository root).

# The cluster-node module's test classpath (classes, test classes, every dependency); builds the
# module first when its test classes are missing.
test_classpath() {
  [[ -f cluster-node/target/test-classes/META-INF/BenchmarkList && -f cluster-node/target/gatehouse-node.jar ]] \
    || mvn -B -q -DskipTests install
  local file=cluster-node/target/test.classpath
  mvn -B -q -pl cluster-node dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$(pwd)/$file" >/dev/null
  echo "cluster-node/target/test-classes:cluster-node/target/classes:$(cat "$file")"
}

# Waits until a node answers ready on its management port; prints its log if it dies first.
wait_node_ready() {  # management port, pid, log file
  for _ in $(seq 1 600); do
    curl -sf "localhost:$1/ready" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3"; exit 1; }
    sleep 0.1
  done
  echo "the node did not become ready on $1" >&2
  exit 1
}
