package dev.chorus.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of three primaries (Debian's {@code redis-server} on free loopback ports,
 * joined by {@code redis-cli --cluster create}), keeping nothing on disk: for the rooms that span
 * nodes when Redis is sharded, since only a real cluster shows where a room's keys, script and
 * shard channel land.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Duration FORMED_WITHIN = Duration.ofSeconds(30);

    private final List<RedisServer> shards;

    private RedisCluster(List<RedisServer> shards) {
        this.shards = shards;
    }

    /** Three primaries, the 16,384 slots split among them, once every one reports the cluster ok. */
    public static RedisCluster start() {
        List<RedisServer> shards = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                shards.add(RedisServer.startClusterNode());
            }
            List<String> create = new ArrayList<>(List.of(RedisServer.executable("redis-cli"), "--cluster", "create"));
            shards.forEach(shard -> create.add("127.0.0.1:" + shard.port()));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Path log = Path.of("target").toAbsolutePath().resolve("redis-cluster-" + shards.get(0).port() + ".log");
            Process joining = new ProcessBuilder(create).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!joining.waitFor(FORMED_WITHIN.toSeconds(), TimeUnit.SECONDS) || joining.exitValue() != 0) {
                joining.destroyForcibly();
                throw new AssertionError("redis-cli --cluster create failed; see " + log);
            }
            RedisCluster cluster = new RedisCluster(shards);
            await().atMost(FORMED_WITHIN).pollInterval(Duration.ofMillis(100)).until(cluster::isFormed);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            shards.forEach(RedisServer::close);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new AssertionError("could not start a Redis Cluster", e);
        }
    }

    private boolean isFormed() {
        return shards.stream().allMatch(shard -> shard.bulkReply("CLUSTER INFO").contains("cluster_state:ok"));
    }

    /** One node's URI: a client finds the others from it. */
    public String uri() {
        return uri(0);
    }

    /** The URI of the shard with this index (0 to 2). */
    public String uri(int shard) {
        return shards.get(shard).uri();
    }

    /**
     * Room names beginning with the prefix, one held by each shard (the room's keys and channel
     * share its hash tag, so the shard of its channel is the room's).
     */
    public List<String> roomOnEachShard(String prefix) {
        String[] rooms = new String[shards.size()];
        int found = 0;
        for (int i = 0; found < rooms.length && i < 1000; i++) {
            String room = prefix + i;
            int shard = shardOf("chorus:{" + room + "}:live");
            if (rooms[shard] == null) {
                rooms[shard] = room;
                found++;
            }
        }
        if (found < rooms.length) {
            throw new AssertionError("no room name found for every shard");
        }
        return List.of(rooms);
    }

    /** How many keys match the pattern on each shard: the cluster's keys are spread over them. */
    public List<Integer> keysPerShard(String pattern) {
        return shards.stream().map(shard -> shard.keys(pattern)).toList();
    }

    /** The shard that holds a key (or shard channel) with this name. */
    public int shardOf(String key) {
        int slot = Integer.parseInt(shards.get(0).bulkReply("CLUSTER KEYSLOT " + key).substring(1));
        for (int i = 0; i < shards.size(); i++) {
            String nodes = shards.get(i).bulkReply("CLUSTER NODES");
            for (String line : nodes.split("\n")) {
                if (line.contains("myself") && servesSlot(line, slot)) {
                    return i;
                }
            }
        }
        throw new AssertionError("no shard serves slot " + slot);
    }

    private static boolean servesSlot(String nodeLine, int slot) {
        String[] fields = nodeLine.trim().split(" ");
        for (int i = 8; i < fields.length; i++) {
            String[] range = fields[i].split("-");
            if (range[0].startsWith("[")) {
                continue;
            }
            int from = Integer.parseInt(range[0]);
            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
            if (slot >= from && slot <= to) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        shards.forEach(RedisServer::close);
    }
}
