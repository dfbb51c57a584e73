package io.keepsake.session;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import io.keepsake.notice.Notice;
import io.keepsake.notice.NoticePublisher;
import io.keepsake.notice.Outbox;
import io.keepsake.notice.OutboxEntry;
import io.keepsake.quota.Quotas;
import io.keepsake.store.DuePages;
import io.keepsake.store.Throttled;
import io.keepsake.store.Time;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Deletes sessions that went unchanged for their idle lifetime, with a {@code session.expired}
 * notice to their owner's tabs, as a delete does everything else (tombstone, history, quota). The
 * stored {@code expiresAt} is a hint written by the writes that know the lifetime; each candidate
 * is judged by its own {@code updatedAt + idleLifetime}, and deleted only if it is still unchanged
 * since (a write that did not know the lifetime, such as the original workbench's save, moved it
 * on: its hint is moved too).
 */
@ApplicationScoped
public class IdleSessions {

    /** Candidates read at a time. */
    static final int BATCH = 100;

    private final SessionRepository sessions;
    private final NoticePublisher notices;
    private final SessionTags tags;
    private final Quotas quotas;

    IdleSessions(SessionRepository sessions, NoticePublisher notices, SessionTags tags, Quotas quotas) {
        this.sessions = sessions;
        this.notices = notices;
        this.tags = tags;
        this.quotas = quotas;
    }

    /** One sweep: every session whose end has come, a batch at a time; never fails (tried again next time). */
    @Scheduled(every = "${keepsake.sessions.idle-sweep-every}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> sweep() {
        Instant now = Time.now();
        return DuePages.scheduled("Idle session sweep", DuePages.settle(() -> endsDue(now), BATCH, session -> settle(session, now)));
    }

    /**
     * Live sessions whose end (as last written) has come, the earliest first: a deliberate scatter
     * read of the sweep, from the {@code expiresAt} index, without content.
     */
    private Uni<List<Session>> endsDue(Instant now) {
        return sessions.mongoCollection().find(new FindOptions()
                        .filter(Filters.and(Filters.lt("expiresAt", now), Filters.ne("deleted", true)))
                        .projection(Projections.include("ownerId", "updatedAt", "idleLifetime", "expiresAt", "contentSize"))
                        .sort(Sorts.ascending("expiresAt")).limit(BATCH))
                .collect().asList().plug(Throttled::retry);
    }

    /** Moves a session's end hint to where its last change puts it, if that change is still its last. */
    private Uni<Void> postpone(Session found, Instant end) {
        return sessions.mongoCollection().updateOne(Filters.and(Filters.eq("_id", found.id), Filters.eq("ownerId", found.ownerId),
                Filters.eq("updatedAt", found.updatedAt)), Updates.set("expiresAt", end)).plug(Throttled::retry).replaceWithVoid();
    }

    /** Deletes the session if its end has come, or moves the hint to its real end. */
    private Uni<Void> settle(Session found, Instant now) {
        Instant end = found.end();
        if (end != null && end.isAfter(now)) {
            return postpone(found, end);
        }
        Outbox.Write notice = notices.write(sessions, found.id,
                OutboxEntry.of(Notice.SESSION_EXPIRED, found.id, null, null, null, now));
        return notices.watched(sessions, found.id, found.ownerId,
                        sessions.expire(found.id, found.ownerId, found.updatedAt, now, notice))
                .onItem().ifNotNull().call(tombstone -> {
                    tags.forget(found.id);
                    notices.publish(sessions.outbox(tombstone));
                    return quotas.release(found.ownerId, Quotas.Kind.SESSION, tombstone.contentSize);
                })
                .replaceWithVoid();
    }
}
