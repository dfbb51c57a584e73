package io.keepsake.notice;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.keepsake.KeepsakeConfig;
import io.keepsake.session.SessionService;
import io.keepsake.web.Json;
import io.keepsake.web.Meters;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

/**
 * {@code /persistence/notices/ws?ticket=...&client_id=...}: the user's notices, pushed. The
 * message schema is in the README. A connection without a valid ticket is closed with 1008.
 */
@WebSocket(path = "/persistence/notices/ws")
// Caffeine picks its cache and node classes by name; a native image needs these two for this cache.
@RegisterForReflection(classNames = {"com.github.benmanes.caffeine.cache.SSMS", "com.github.benmanes.caffeine.cache.PSMS"})
public class NoticeSocket {

    static final int POLICY_VIOLATION = 1008;
    static final int GOING_AWAY = 1001;

    private final Tickets tickets;
    private final NoticeBus bus;
    private final NoticeStore store;
    private final Notices notices;
    private final SessionService sessions;
    private final ObjectMapper mapper;
    private final Json codec;
    private final KeepsakeConfig.Notices config;
    private final Meters meters;
    /** Each connection's client, completed once its ticket is redeemed (null if it was refused). */
    private final Map<String, CompletableFuture<Client>> clients = new ConcurrentHashMap<>();
    /** A notice fanned out to many connections is written as JSON once (per own/other variant). */
    private final com.github.benmanes.caffeine.cache.Cache<String, String> rendered =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000).build();
    private final Map<String, String> messages = rendered.asMap();

    public NoticeSocket(Tickets tickets, NoticeBus bus, NoticeStore store, Notices notices, SessionService sessions,
            ObjectMapper mapper, Json codec, KeepsakeConfig config, Meters meters, OpenConnections connections) {
        this.codec = codec;
        this.meters = meters;
        this.tickets = tickets;
        this.bus = bus;
        this.store = store;
        this.notices = notices;
        this.sessions = sessions;
        this.mapper = mapper;
        this.config = config.notices();
        // As the instance stops (with the long polls), clients are told to reconnect elsewhere and resume.
        notices.whenStopping(() -> connections.forEach(connection -> connection
                .close(new CloseReason(GOING_AWAY, "server stopping: reconnect and resume"))
                .subscribe().with(closed -> { }, error -> { })));
    }

    /** One connection's state. Notices are sent in order, once: only those after {@code lastSeq}. */
    final class Client {
        final WebSocketConnection connection;
        final String userId;
        final String clientId;
        final Set<String> sessionIds = ConcurrentHashMap.newKeySet();
        final AtomicInteger pending = new AtomicInteger();
        final Deque<Instant> errors = new ArrayDeque<>();
        volatile long lastSeq;
        volatile Runnable unlisten = () -> { };

        Client(WebSocketConnection connection, String userId, String clientId) {
            this.connection = connection;
            this.userId = userId;
            this.clientId = clientId;
        }

        synchronized void push(Notice notice) {
            if (notice.seq <= lastSeq) {
                return;
            }
            lastSeq = notice.seq;
            deliver(notice);
        }

        /** Sends a notice unless the connection subscribed to other sessions only. */
        void deliver(Notice notice) {
            boolean aboutSession = notice.type.startsWith("session.");
            if (aboutSession && !sessionIds.isEmpty() && !sessionIds.contains(notice.resourceId)) {
                return;
            }
            meters.noticePushed();
            boolean own = clientId != null && clientId.equals(notice.origin);
            sendText(messages.computeIfAbsent(notice.id + (own ? "+own" : ""),
                    key -> codec.write(NoticeMessage.of(notice, clientId))));
        }

        void send(Object message) {
            sending(message).subscribe().with(ok -> { }, err -> { });
        }

        /** Sends a message; a connection with too many still unsent is closed instead. */
        Uni<Void> sending(Object message) {
            return sendingText(codec.write(message));
        }

        void sendText(String text) {
            sendingText(text).subscribe().with(ok -> { }, err -> { });
        }

        private Uni<Void> sendingText(String text) {
            if (pending.incrementAndGet() > config.maxPendingMessages()) {
                return connection.close(new CloseReason(POLICY_VIOLATION, "too slow: more than "
                        + config.maxPendingMessages() + " messages waiting"));
            }
            return connection.sendText(text).eventually(pending::decrementAndGet);
        }

        /** Counts a bad message; true when there were too many in the last minute. */
        synchronized boolean tooManyErrors() {
            Instant now = Instant.now();
            errors.addLast(now);
            while (!errors.isEmpty() && errors.peekFirst().isBefore(now.minusSeconds(60))) {
                errors.removeFirst();
            }
            return errors.size() > config.maxErrorsPerMinute();
        }
    }

    @OnOpen
    Uni<Void> onOpen(WebSocketConnection connection) {
        CompletableFuture<Client> ready = new CompletableFuture<>();
        clients.put(connection.id(), ready); // messages sent before the ticket is redeemed wait for it
        Map<String, String> query = query(connection.handshakeRequest().query());
        return tickets.redeem(query.get("ticket")).onItem().transformToUni(userId -> {
            if (userId == null) {
                ready.complete(null);
                return connection.close(new CloseReason(POLICY_VIOLATION,
                        "authentication required: open with ?ticket= from POST /persistence/notices/tickets"));
            }
            Client client = new Client(connection, userId, query.get("client_id"));
            meters.socketOpened();
            return store.latestSeq(userId).onItem().transformToUni(latest -> {
                client.lastSeq = latest;
                client.unlisten = bus.listen(userId, client::push);
                ready.complete(client);
                return client.sending(Map.of("type", "ready", "user", userId, "cursor", Long.toString(latest)));
            });
        }).onFailure().invoke(error -> ready.complete(null));
    }

    @OnTextMessage
    Uni<Void> onMessage(WebSocketConnection connection, String text) {
        CompletableFuture<Client> ready = clients.get(connection.id());
        if (ready == null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(ready)
                .onItem().transformToUni(client -> client == null ? Uni.createFrom().voidItem() : handle(client, text));
    }

    private Uni<Void> handle(Client client, String text) {
        JsonNode message;
        try {
            message = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            return refuse(client, "malformed JSON: " + e.getOriginalMessage());
        }
        String type = message != null && message.path("type").isTextual() ? message.get("type").textValue() : null;
        if (type == null) {
            return refuse(client, "a message is a JSON object with a string \"type\"");
        }
        return switch (type) {
            case "subscribe" -> subscribe(client, message);
            case "resume" -> resume(client, message);
            case "ping" -> client.sending(Map.of("type", "pong"));
            default -> refuse(client, "unknown message type \"" + type + "\"; expected subscribe, resume or ping");
        };
    }

    @OnClose
    void onClose(WebSocketConnection connection) {
        CompletableFuture<Client> ready = clients.remove(connection.id());
        if (ready != null) {
            ready.thenAccept(client -> {
                if (client != null) {
                    client.unlisten.run();
                    meters.socketClosed();
                }
            });
        }
    }

    /** Subscribes to sessions; any whose stored hash differs from the one held is a conflict at once. */
    private Uni<Void> subscribe(Client client, JsonNode message) {
        JsonNode list = message.get("sessions");
        if (list == null || !list.isArray()) {
            return refuse(client, "subscribe needs \"sessions\": [{\"id\": ..., \"hash\": ...}]");
        }
        List<Uni<Void>> checks = new java.util.ArrayList<>();
        for (JsonNode entry : list) {
            String id = entry.path("id").isTextual() ? entry.get("id").textValue() : null;
            if (id == null) {
                return refuse(client, "every subscribed session needs a string \"id\"");
            }
            client.sessionIds.add(id);
            String held = entry.path("hash").isTextual() ? entry.get("hash").textValue() : null;
            if (held != null) {
                checks.add(sessions.currentState(client.userId, id).invoke(current -> {
                    if (current == null) {
                        client.send(new NoticeMessage(Notice.SESSION_DELETED, null, id, null, null, Instant.now(), null, null));
                    } else if (!current.contentHash.equals(held)) {
                        client.send(new NoticeMessage(Notice.SESSION_CONFLICT, null, id, current.contentHash,
                                current.version, current.updatedAt, null, null));
                    }
                }).replaceWithVoid().onFailure().recoverWithNull());
            }
        }
        Uni<Void> all = checks.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(checks).andCollectFailures().replaceWithVoid();
        return all.invoke(() -> client.send(Map.of("type", "subscribed", "sessions", List.copyOf(client.sessionIds))));
    }

    /** Replays what the client missed since its last notice id, or asks it to resync. */
    private Uni<Void> resume(Client client, JsonNode message) {
        long after;
        try {
            after = Notices.cursorOf(message.path("after").asText(""));
        } catch (RuntimeException e) {
            return refuse(client, "resume needs \"after\": the id of the last notice received");
        }
        return store.after(client.userId, after, 10_000)
                .onItem().transformToUni(found -> notices.resync(client.userId, after, found).invoke(batch -> {
                    synchronized (client) {
                        if (batch.resync()) {
                            client.send(Map.of("type", "resync"));
                        }
                        // What arrived after the connection opened was pushed live; replay what came before.
                        long live = client.lastSeq;
                        found.stream().filter(n -> n.seq <= live).forEach(client::deliver);
                    }
                }))
                .replaceWithVoid();
    }

    private Uni<Void> refuse(Client client, String error) {
        if (client.tooManyErrors()) {
            return client.connection.close(new CloseReason(POLICY_VIOLATION, "too many malformed messages"));
        }
        client.send(Map.of("type", "error", "error", error));
        return Uni.createFrom().voidItem();
    }

    private static Map<String, String> query(String query) {
        Map<String, String> params = new java.util.HashMap<>();
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
