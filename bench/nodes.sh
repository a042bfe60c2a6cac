# Sourced by bench/cluster, bench/join-wave and bench/crowd: starts Payara Micro nodes of the packaged WAR on
# loopback ports (each linked to Redis if given a URI), waits for them, and stops on exit every
# process it started, by PID. Expects $out (the run's directory) to be set.
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Limits lifted for the load, as in bench/load; the heartbeat and everything else at defaults.
export CHORUS_RATE_MESSAGES_PER_SECOND=1000000 CHORUS_RATE_BURST=1000000 CHORUS_LIMITS_MAX_CONNECTIONS_PER_ADDRESS=0 \
  CHORUS_LIMITS_HANDSHAKES_PER_SECOND_PER_ADDRESS=0 CHORUS_LIMITS_NEW_ROOMS_PER_MINUTE=0

start_node() { # port [redis-uri]; sets $started to its pid
  # WAR=path deploys that WAR instead of this build's (an earlier build, to compare).
  # NODE_JAVA_OPTS adds JVM options to every node, @port@ standing for its port, e.g.
  # NODE_JAVA_OPTS=-XX:StartFlightRecording:filename=target/bench-cluster/@port@.jfr,settings=profile
  # NODE_HEAP sets every node's -Xmx (default 2g).
  # shellcheck disable=SC2086
  local opts=${NODE_JAVA_OPTS:-}
  mkdir -p "$out/tmp-$1"
  CHORUS_CLUSTER_REDIS_URI="${2:-}" java -Xmx"${NODE_HEAP:-2g}" -XX:+UseG1GC ${opts//@port@/$1} -Djava.io.tmpdir="$out/tmp-$1" \
    -jar target/payara-micro.jar --deploy "${WAR:-target/chorus.war}" --contextroot chorus --port "$1" --nocluster --nohazelcast \
    --disablephonehome --prebootcommandfile server-config/payara/pre-boot-commands.asadmin \
    --postbootcommandfile server-config/payara/post-boot-commands.asadmin >"$out/node-$1.log" 2>&1 &
  started=$!
  pids+=("$started")
}

await_ready() { # port
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$1/chorus/api/health" >/dev/null && return 0
    sleep 1
  done
  echo "bench: node on port $1 not ready; see $out/node-$1.log" >&2
  exit 1
}

start_redis() { # port; sets $redis to its pid
  redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no --dir "$out" >"$out/redis.log" 2>&1 &
  redis=$!
  pids+=("$redis")
}
