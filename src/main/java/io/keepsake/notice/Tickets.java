package io.keepsake.notice;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.bson.Document;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;

import io.keepsake.store.Time;
import io.keepsake.KeepsakeConfig;
import io.keepsake.store.Ids;
import io.keepsake.store.Indexes;
import io.keepsake.store.Sweep;
import io.keepsake.store.Throttled;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * WebSocket tickets: a browser cannot put an Authorization header on a WebSocket, so it asks for
 * a short-lived, single-use ticket with an authenticated POST and opens the socket with it. Kept
 * in the store, so a ticket from one replica opens a socket on another.
 */
@ApplicationScoped
public class Tickets {

    private final ReactiveMongoCollection<Document> tickets;
    private final Duration lifetime;

    public Tickets(ReactiveMongoClient client, KeepsakeConfig config,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.tickets = client.getDatabase(database).getCollection("ws_tickets");
        this.lifetime = config.notices().ticketLifetime();
    }

    void createIndexes(@Observes StartupEvent event) {
        Indexes.ensure(tickets, Indexes.keys("expiresAt", 1), new IndexOptions().expireAfter(0L, TimeUnit.SECONDS));
    }

    @RegisterForReflection
    public record Ticket(String ticket, Instant expiresAt) {
    }

    Uni<Ticket> issue(String userId) {
        String ticket = Ids.next() + Ids.next();
        Instant expiresAt = Time.now().plus(lifetime);
        return tickets.insertOne(new Document("_id", ticket).append("userId", userId).append("expiresAt", expiresAt))
                .plug(Throttled::retry).replaceWith(new Ticket(ticket, expiresAt));
    }

    /** The user a valid ticket was issued to, consuming it; null if unknown, used or expired. */
    Uni<String> redeem(String ticket) {
        if (ticket == null || ticket.length() != 2 * Ids.LENGTH) {
            return Uni.createFrom().nullItem();
        }
        return tickets.findOneAndDelete(Filters.and(Filters.eq("_id", ticket), Filters.gt("expiresAt", Instant.now())))
                .plug(Throttled::retry).map(doc -> doc == null ? null : doc.getString("userId"));
    }

    /** Forgets expired tickets (on every shard; a ticket is otherwise only ever found by its id). */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return Sweep.expired(tickets, Filters.lt("expiresAt", Instant.now())).replaceWithVoid();
    }
}
