package dev.chorus.api;

import dev.chorus.cluster.RedisLink;
import dev.chorus.cluster.RedisSequence;
import dev.chorus.container.Workarounds;
import dev.chorus.handshake.ConnectionQuota;
import dev.chorus.handshake.HandshakeRefusals;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.room.Rooms;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * {@code GET /chorus/metrics}: Prometheus text exposition format 0.0.4. A servlet rather than a
 * JAX-RS resource so that it sits at the conventional path, outside {@code /api}.
 */
@WebServlet("/metrics")
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient Rooms registry;

    @Inject
    transient ChatMetrics metrics;

    @Inject
    transient ServerMessages published;

    @Inject
    transient RoomEventsOut events;

    @Inject
    transient Webhook webhook;

    @Inject
    transient ConnectionQuota quota;

    @Inject
    transient HandshakeRefusals refusals;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; version=0.0.4; charset=utf-8");
        PrintWriter out = response.getWriter();
        sample(out, "chorus_sessions", "gauge", "Open WebSocket connections in a room", registry.members());
        sample(out, "chorus_rooms", "gauge", "Rooms with at least one member", registry.rooms());
        sample(out, "chorus_connections", "gauge", "WebSocket connections joined and not yet closed, members or not",
                quota.connections());
        sample(out, "chorus_history_chars", "gauge", "Characters of message frames kept in all rooms' histories",
                registry.historyBudget().used());
        sample(out, "chorus_history_forgotten_total", "counter",
                "Messages forgotten before chorus.history.size because a history character budget was full",
                registry.historyBudget().forgotten());
        sample(out, "chorus_messages_received_total", "counter", "Text messages accepted from clients",
                metrics.messagesReceived());
        sample(out, "chorus_deliveries_total", "counter", "Frames queued to connections", metrics.deliveries());
        sample(out, "chorus_outbox_chars", "gauge",
                "Characters waiting in all connections' outbound queues (a shared frame once per queue)",
                registry.outboundBudget().used());
        sample(out, "chorus_outbox_depth_max", "gauge", "Deepest outbound queue of any connection since start",
                metrics.outboxDepthMax());
        header(out, "chorus_slow_consumer_drops_total", "counter",
                "Connections dropped with 1013 as too slow, by cause: a full outbound queue, a send that timed out,"
                        + " or the largest queue shed when all queues together passed their total");
        out.println("chorus_slow_consumer_drops_total{cause=\"queue-full\"} " + metrics.outboxOverflows());
        out.println("chorus_slow_consumer_drops_total{cause=\"send-timeout\"} " + metrics.sendTimeouts());
        out.println("chorus_slow_consumer_drops_total{cause=\"node-budget\"} " + registry.outboundBudget().shed());
        sample(out, "chorus_silent_drops_total", "counter", "Connections dropped with 1001 for no pong in time",
                metrics.silentDrops());
        sample(out, "chorus_sockets_cut_total", "counter",
                "Sockets cut because their client had not answered a close within the send timeout", metrics.socketsCut());
        sample(out, "chorus_refused_joins_total", "counter",
                "Connections refused at join: an invalid request (1008) or a connection limit (1013)",
                metrics.refusedJoins());
        header(out, "chorus_refused_handshakes_total", "counter",
                "Handshakes refused before the upgrade, by cause: origin (403), forged-address (400), address-full (429)");
        refusals.byCause().forEach((cause, count) ->
                out.println("chorus_refused_handshakes_total{cause=\"" + cause.label() + "\"} " + count));
        sample(out, "chorus_rate_limited_total", "counter", "Messages dropped for rate",
                metrics.rateLimitedMessages());
        sample(out, "chorus_published_total", "counter", "Messages the application published (HTTP and beans)",
                published.published());
        sample(out, "chorus_events_dropped_total", "counter", "Room events dropped because observers fell behind",
                events.dropped());
        sample(out, "chorus_events_failed_total", "counter", "Room events an observer threw on", events.failed());
        if (webhook.isOn()) {
            sample(out, "chorus_webhook_delivered_total", "counter", "Room events the webhook's backend took", webhook.delivered());
            sample(out, "chorus_webhook_retries_total", "counter", "Webhook tries after an event's first", webhook.retries());
            sample(out, "chorus_webhook_dropped_total", "counter",
                    "Room events the webhook gave up on: queue full, refused, or every try failed", webhook.dropped());
            sample(out, "chorus_webhook_queued", "gauge", "Room events waiting for the webhook", webhook.queued());
        }
        header(out, "chorus_workaround_active", "gauge",
                "Each container workaround tried: 1 while it takes effect, 0 once the container's layout made it fall back");
        Workarounds.ON_THIS_SERVER.states().forEach((workaround, state) ->
                out.println("chorus_workaround_active{workaround=\"" + workaround + "\"} " + (state.active() ? 1 : 0)));
        header(out, "chorus_closes_total", "counter", "Closed connections by close code");
        metrics.closesByCode().forEach((code, count) ->
                out.println("chorus_closes_total{code=\"" + code + "\"} " + count));
        if (registry.sequence() instanceof RedisSequence redis) {
            RedisLink cluster = redis.link();
            sample(out, "chorus_cluster_up", "gauge", "1 while the link to the cluster's Redis is up, else 0",
                    cluster.isUp() ? 1 : 0);
            sample(out, "chorus_cluster_reconnects_total", "counter", "Times the link to Redis came back after a loss",
                    cluster.reconnects());
            sample(out, "chorus_cluster_published_total", "counter", "Messages this node appended to rooms' logs in Redis",
                    cluster.published());
            sample(out, "chorus_cluster_received_total", "counter",
                    "Log entries (messages, joins, leaves) this node read from Redis and applied", cluster.received());
            sample(out, "chorus_cluster_timeouts_total", "counter",
                    "Commands Redis did not answer in time while the link stayed up", cluster.timeouts());
            sample(out, "chorus_cluster_refused_behind_total", "counter",
                    "Messages refused at once because this node's earlier ones still awaited Redis's answer", cluster.refusedBehind());
            sample(out, "chorus_cluster_log_reads_total", "counter",
                    "Reads of a room's log (pages) to catch up where pushes did not follow", cluster.logReads());
            sample(out, "chorus_cluster_lag_milliseconds", "gauge",
                    "From the sending of the last message read to this node reading it", cluster.lagMillis());
        }
    }

    private static void sample(PrintWriter out, String name, String type, String help, long value) {
        header(out, name, type, help);
        out.println(name + " " + value);
    }

    private static void header(PrintWriter out, String name, String type, String help) {
        out.println("# HELP " + name + " " + help);
        out.println("# TYPE " + name + " " + type);
    }
}
