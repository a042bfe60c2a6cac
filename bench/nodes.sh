# Sourced by bench/cluster, bench/join-wave and bench/crowd: starts nodes of the packaged WAR on loopback
# ports (Payara Micro, or WildFly where NODE_SERVERS says so; each linked to Redis if given a URI), waits
# for them, and stops on exit every process it started, by PID. Expects $out (the run's directory) to be set.
# NODE_SERVERS=payara,wildfly deals the servers named round the nodes (default payara: all Payara Micro);
# WildFly nodes run target/wildfly-VERSION, which prepare_nodes unpacks and configures (server-config/wildfly).
pids=()
IFS=, read -r -a node_servers <<<"${NODE_SERVERS:-payara}"
for server in "${node_servers[@]}"; do
  case "$server" in payara | wildfly) ;; *) echo "bench: NODE_SERVERS takes payara and wildfly, not $server" >&2; exit 2 ;; esac
done
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Limits lifted for the load, as in bench/load; the heartbeat and everything else at defaults.
export CHORUS_RATE_MESSAGES_PER_SECOND=1000000 CHORUS_RATE_BURST=1000000 CHORUS_LIMITS_MAX_CONNECTIONS_PER_ADDRESS=0 \
  CHORUS_LIMITS_HANDSHAKES_PER_SECOND_PER_ADDRESS=0 CHORUS_LIMITS_NEW_ROOMS_PER_MINUTE=0

# Builds the WAR and what the nodes need: Payara Micro's jar, and WildFly if a node runs on it.
prepare_nodes() {
  mvn -B -q -ntp -Dstyle.color=never package -DskipTests dependency:copy@payara-micro
  if [[ " ${node_servers[*]} " == *" wildfly "* ]]; then
    mvn -B -q -ntp -Dstyle.color=never -Pwildfly -DskipTests pre-integration-test
    wildfly_home=$(ls -d target/wildfly-*/ | head -1)
  fi
}

# The server node number N (1 on) runs on, from NODE_SERVERS.
node_server() { echo "${node_servers[$((($1 - 1) % ${#node_servers[@]}))]}"; }

start_node() { # port [redis-uri] [node number, 1 on]; sets $started to its pid
  if [ "$(node_server "${3:-1}")" = wildfly ]; then
    start_wildfly_node "$@"
    return
  fi
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

start_wildfly_node() { # port [redis-uri]: a copy of the configured standalone/ with only this WAR deployed
  local base="$out/wildfly-$1" opts=${NODE_JAVA_OPTS:-}
  rm -rf "$base"
  mkdir -p "$base/deployments" "$out/tmp-$1"
  cp -r "$wildfly_home/standalone/configuration" "$base/"
  cp "${WAR:-target/chorus.war}" "$base/deployments/chorus.war"
  # Every socket offset from the HTTP port's: management, HTTPS and the rest stay apart between nodes.
  CHORUS_CLUSTER_REDIS_URI="${2:-}" JAVA_OPTS="-Xmx${NODE_HEAP:-2g} -XX:+UseG1GC ${opts//@port@/$1} -Djava.io.tmpdir=$out/tmp-$1" \
    "$wildfly_home/bin/standalone.sh" -b 127.0.0.1 -Djboss.server.base.dir="$(cd "$base" && pwd)" \
    -Djboss.socket.binding.port-offset=$(($1 - 8080)) >"$out/node-$1.log" 2>&1 &
  local script=$!
  pids+=("$script")
  # standalone.sh runs the server JVM as its child (after JVMs that only probe the JDK): the node's process.
  started=""
  for _ in $(seq 1 100); do
    started=$(pgrep -P "$script" -f jboss-modules.jar || true)
    [ -n "$started" ] && break
    sleep 0.1
  done
  if [ -z "$started" ]; then
    echo "bench: WildFly on port $1 did not start; see $out/node-$1.log" >&2
    exit 1
  fi
  pids+=("$started")
}

stop_node_pids() { # pid...: SIGTERM, then waits for each to end (30 s at most; a WildFly JVM is not this shell's child)
  kill "$@" 2>/dev/null || true
  for pid in "$@"; do
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    wait "$pid" 2>/dev/null || true
  done
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
