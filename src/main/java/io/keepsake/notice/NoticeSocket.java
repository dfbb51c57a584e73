package io.keepsake.notice;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.keepsake.KeepsakeConfig;
import io.keepsake.config.NoticesConfig;
import io.keepsake.store.Ids;
import io.keepsake.web.Json;
import io.keepsake.web.Meters;
import io.netty.channel.EventLoop;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;

/**
 * {@code /persistence/notices/ws?ticket=...&client_id=...&after=...}: the user's notices, pushed.
 * The protocol (what the client may send, what it gets) is in the README; each connection's
 * sending is in {@link SocketConnection}. A connection without a valid ticket is closed with 1008.
 */
@WebSocket(path = "/persistence/notices/ws")
// Caffeine picks its cache and node classes by name; a native image needs these two for this cache.
@RegisterForReflection(classNames = {"com.github.benmanes.caffeine.cache.SSMS", "com.github.benmanes.caffeine.cache.PSMS"})
public class NoticeSocket {

    private final Tickets tickets;
    private final NoticeLog log;
    private final NoticeFanout fanout;
    private final SessionStates sessions;
    private final ObjectMapper mapper;
    private final Json codec;
    private final NoticesConfig config;
    private final Meters meters;
    private final OpenConnections connections;
    /** Each connection, completed once its ticket is redeemed and it is ready (null if it was refused). */
    private final Map<String, CompletableFuture<SocketConnection>> open = new ConcurrentHashMap<>();
    /** A notice fanned out to many connections is written as JSON once (per own/other variant). */
    private final Cache<String, String> rendered = Caffeine.newBuilder().maximumSize(10_000).build();
    private final LoopSender sender = new LoopSender();
    /** Open connections per user on this instance. */
    private final PerUserCount socketsPerUser;
    /** The connections that got past their ticket and the per-user limit, by connection id. */
    private final Map<String, SocketConnection> admitted = new ConcurrentHashMap<>();

    public NoticeSocket(Tickets tickets, NoticeLog log, NoticeFanout fanout, SessionStates sessions,
            ObjectMapper mapper, Json codec, KeepsakeConfig config, Meters meters, OpenConnections connections) {
        this.tickets = tickets;
        this.log = log;
        this.fanout = fanout;
        this.sessions = sessions;
        this.mapper = mapper;
        this.codec = codec;
        this.config = config.notices();
        this.socketsPerUser = new PerUserCount(this.config.maxSocketsPerUser());
        this.meters = meters;
        this.connections = connections;
    }

    @OnOpen
    Uni<Void> onOpen(WebSocketConnection connection) {
        // Called on the connection's event loop: its messages are sent from there.
        EventLoop eventLoop = ((ContextInternal) Vertx.currentContext()).nettyEventLoop();
        CompletableFuture<SocketConnection> ready = new CompletableFuture<>();
        open.put(connection.id(), ready); // messages sent before the connection is ready wait for it
        Map<String, String> query = query(connection.handshakeRequest().query());
        long after;
        try {
            String value = query.get("after");
            after = value == null || value.isBlank() ? -1 : LongPolls.cursorOf(value);
        } catch (RuntimeException e) {
            ready.complete(null);
            return connection.close(new CloseReason(SocketConnection.POLICY_VIOLATION,
                    "after must be the id of the last notice received"));
        }
        return tickets.redeem(query.get("ticket")).onItem().transformToUni(userId -> {
            if (userId == null) {
                ready.complete(null);
                return connection.close(new CloseReason(SocketConnection.POLICY_VIOLATION,
                        "authentication required: open with ?ticket= from POST /persistence/notices/tickets"));
            }
            if (!socketsPerUser.take(userId)) {
                ready.complete(null);
                return connection.close(new CloseReason(SocketConnection.POLICY_VIOLATION, "more than "
                        + config.maxSocketsPerUser() + " connections for this user (keepsake.notices.max-sockets-per-user)"));
            }
            SocketConnection client = new SocketConnection(connection, eventLoop, userId, query.get("client_id"), after,
                    log, fanout, sender, this::render, codec, config, meters);
            admitted.put(connection.id(), client);
            meters.socketOpened();
            client.ready.whenComplete((started, error) -> ready.complete(started));
            fanout.listen(userId, client);
            return Uni.createFrom().completionStage(client.ready).replaceWithVoid();
        }).onFailure().invoke(error -> ready.complete(null));
    }

    @OnTextMessage
    Uni<Void> onMessage(WebSocketConnection connection, String text) {
        CompletableFuture<SocketConnection> ready = open.get(connection.id());
        if (ready == null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(ready)
                .onItem().transformToUni(client -> client == null ? Uni.createFrom().voidItem() : handle(client, text));
    }

    @OnClose
    void onClose(WebSocketConnection connection) {
        open.remove(connection.id());
        SocketConnection client = admitted.remove(connection.id());
        if (client != null) {
            client.closed();
            fanout.unlisten(client.userId, client);
            socketsPerUser.give(client.userId);
            meters.socketClosed();
        }
    }

    /**
     * As the instance stops (with the long polls: see {@link LongPolls}), clients are told to
     * reconnect elsewhere and resume.
     */
    void onStopping(@Observes ShutdownDelayInitiatedEvent event,
            @ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay) {
        long millis = Math.max(0, delay.orElse(Duration.ZERO).toMillis() - 250);
        // Only the open ones: closing one the client has just closed is logged as a warning.
        CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(() -> connections.stream()
                .filter(WebSocketConnection::isOpen)
                .forEach(connection -> connection.close(new CloseReason(SocketConnection.GOING_AWAY,
                        "server stopping: reconnect and resume")).subscribe().with(closed -> { }, error -> { })));
    }

    private String render(Notice notice, String clientId) {
        boolean own = clientId != null && clientId.equals(notice.origin);
        return rendered.get(notice.id + (own ? "+own" : ""), key -> codec.write(NoticeMessage.of(notice, clientId)));
    }

    private Uni<Void> handle(SocketConnection client, String text) {
        if (!client.allowMessage()) {
            return client.closeAfterSent(new CloseReason(SocketConnection.POLICY_VIOLATION, "more than "
                    + config.maxMessagesPerSecond() + " messages a second (keepsake.notices.max-messages-per-second)"));
        }
        JsonNode message;
        try {
            message = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            return client.refuse("malformed JSON: " + e.getOriginalMessage());
        }
        String type = message != null && message.path("type").isTextual() ? message.get("type").textValue() : null;
        if (type == null) {
            return client.refuse("a message is a JSON object with a string \"type\"");
        }
        return switch (type) {
            case "subscribe" -> subscribe(client, message);
            case "resume" -> resume(client, message);
            case "ping" -> client.sending(Map.of("type", "pong"));
            default -> client.refuse("unknown message type \"" + type + "\"; expected subscribe, resume or ping");
        };
    }

    /**
     * Subscribes to sessions (at most {@code max-subscriptions} per connection); any whose stored hash
     * differs from the one held is a conflict at once. The held hashes are checked in one read.
     */
    private Uni<Void> subscribe(SocketConnection client, JsonNode message) {
        JsonNode list = message.get("sessions");
        if (list == null || !list.isArray()) {
            return client.refuse("subscribe needs \"sessions\": [{\"id\": ..., \"hash\": ...}]");
        }
        Map<String, String> held = new LinkedHashMap<>();
        for (JsonNode entry : list) {
            String id = entry.path("id").isTextual() ? entry.get("id").textValue() : null;
            if (id == null || !Ids.isValid(id)) {
                return client.refuse("every subscribed session needs a valid string \"id\"");
            }
            held.put(id, entry.path("hash").isTextual() ? entry.get("hash").textValue() : null);
        }
        Set<String> after = new HashSet<>(client.sessionIds);
        after.addAll(held.keySet());
        if (after.size() > config.maxSubscriptions()) {
            return client.refuse("a connection may subscribe to at most " + config.maxSubscriptions()
                    + " sessions (keepsake.notices.max-subscriptions)");
        }
        client.sessionIds.addAll(held.keySet());
        List<String> checked = held.entrySet().stream().filter(e -> e.getValue() != null).map(Map.Entry::getKey).toList();
        Uni<Void> checks = checked.isEmpty() ? Uni.createFrom().voidItem()
                : sessions.current(client.userId, checked).invoke(states -> {
                    for (String id : checked) {
                        SessionStates.State current = states.get(id);
                        if (current == null) {
                            client.send(new NoticeMessage(Notice.SESSION_DELETED, null, id, null, null, Instant.now(), null, null));
                        } else if (!current.hash().equals(held.get(id))) {
                            client.send(new NoticeMessage(Notice.SESSION_CONFLICT, null, id, current.hash(),
                                    current.version(), current.updatedAt(), null, null));
                        }
                    }
                }).replaceWithVoid().onFailure().recoverWithNull();
        return checks.invoke(() -> client.send(Map.of("type", "subscribed", "sessions", List.copyOf(client.sessionIds))));
    }

    /** Replays what the client missed before this connection opened. */
    private Uni<Void> resume(SocketConnection client, JsonNode message) {
        long after;
        try {
            after = LongPolls.cursorOf(message.path("after").asText(""));
        } catch (RuntimeException e) {
            return client.refuse("resume needs \"after\": the id of the last notice received");
        }
        return client.resume(after).onFailure().recoverWithNull();
    }

    private static Map<String, String> query(String query) {
        Map<String, String> params = new HashMap<>();
        if (query == null) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }
}
