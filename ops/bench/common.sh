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

# Installs the Debian packages of the tools that are missing (a tool's package is its name, but
# for taskset and h2load).
ensure_tools() {  # tool...
  local need=() tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] || need+=("$tool")
  done
  ((${#need[@]})) || return 0
  local pkgs=("${need[@]/taskset/util-linux}")
  pkgs=("${pkgs[@]/h2load/nghttp2-client}")
  echo "installing ${pkgs[*]} ..." >&2
  local sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

to_ms() {  # a duration as wrk and h2load print it (45.00us, 1.20ms, 2.00s) -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n *= 1; else if (v ~ /s$/) n *= 1000; printf "%.4f", n }'
}

machine_line() {
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); $(java -version 2>&1 | sed -n 1p)"
}

# Starts a Gatehouse node on its embedded store, pinned to a core, access log off, and waits until
# it is ready; its pid is in GH_NODE_PID. Extra settings go as VAR=value arguments.
gh_node() {  # dir, jar, core, java opts, data port, admin port, management port, remoting port, bootstrap token, VAR=value...
  local dir=$1 jar=$2 core=$3 opts=$4 port=$5 admin=$6 mgmt=$7 remote=$8 token=$9
  shift 9
  mkdir -p "$dir"
  env GATEHOUSE_DATA_DIR="$dir" GATEHOUSE_BOOTSTRAP_TOKEN="$token" GATEHOUSE_HTTP_PORT="$port" \
    GATEHOUSE_ADMIN_PORT="$admin" GATEHOUSE_MANAGEMENT_PORT="$mgmt" GATEHOUSE_REMOTE_PORT="$remote" \
    GATEHOUSE_ACCESS_LOG="${GH_ACCESS_LOG:-off}" "$@" \
    taskset -c "$core" java $opts -jar "$jar" > "$dir/node.log" 2>&1 &
  GH_NODE_PID=$!
  wait_node_ready "$mgmt" $GH_NODE_PID "$dir/node.log"
}

# The admin API of the node on an admin port, with a token.
gh_admin() {  # admin port, token, method, path, body
  curl -sf -X "$3" "localhost:$1/api/v1$4" -H "Authorization: Bearer $2" ${5:+-d "$5"}
}

# A group, project and user "bench" and a token for the user (printed).
gh_bench_user() {  # admin port, admin token
  gh_admin "$1" "$2" POST /groups '{"name":"bench"}' >/dev/null
  gh_admin "$1" "$2" POST /projects '{"name":"bench","groups":["bench"]}' >/dev/null
  gh_admin "$1" "$2" POST /users '{"name":"bench-user","groups":["bench"]}' >/dev/null
  gh_admin "$1" "$2" POST /tokens '{"label":"bench","expiresInDays":1,"principal":{"type":"user","name":"bench-user"}}' \
    | sed 's/.*"token":"\([^"]*\)".*/\1/'
}

# An nginx configuration in dir (one worker, no access log, long keep-alive), with the server blocks
# (and upstreams) given; nginx -c dir/nginx.conf -p dir runs it.
nginx_conf() {  # dir, http blocks
  cat > "$1/nginx.conf" <<EOF
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  http2_max_concurrent_streams 128;
  client_body_temp_path $1; proxy_temp_path $1; fastcgi_temp_path $1; uwsgi_temp_path $1; scgi_temp_path $1;
  $2
}
EOF
}

# The 300-byte JSON the upstreams answer (the size of a short completion).
BENCH_BODY='{"id":"cmpl-bench","object":"chat.completion","model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":"Gatehouse benchmark answer: a fixed body of three hundred bytes, the size of a short completion."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":24,"total_tokens":36}}  '
BENCH_BODY=${BENCH_BODY:0:300}
