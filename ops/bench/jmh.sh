#!/usr/bin/env bash
# JMH microbenchmarks of the request path's steps (cluster-node: HotPathBenchmark): token
# validation, route resolution with RBAC, the affinity lookup, header rewriting.
#
#   ops/bench/jmh.sh              # from the repository root; extra arguments go to JMH,
#   ops/bench/jmh.sh -f 1 -wi 2 -i 3 validateToken     # e.g. fewer iterations, one benchmark
#
# Builds the module and its test classes when missing. Bounded: about 2 minutes by default.
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/bench/common.sh
CP=$(test_classpath)
exec taskset -c "${BENCH_CORE:-0}" java -cp "$CP" org.openjdk.jmh.Main "${@:-HotPathBenchmark}"
