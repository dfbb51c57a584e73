package io.keepsake.notice;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.bson.Document;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import io.keepsake.store.Time;
import io.keepsake.KeepsakeConfig;
import io.keepsake.store.Indexes;
import io.quarkus.logging.Log;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Stores notices: a per-user sequence from an atomic counter, then the notice itself. */
@ApplicationScoped
public class NoticeStore implements ReactivePanacheMongoRepositoryBase<Notice, String> {

    private final ReactiveMongoCollection<Document> counters;
    private final KeepsakeConfig.Notices config;
    private final NoticeBus bus;

    public NoticeStore(ReactiveMongoClient client, KeepsakeConfig config, NoticeBus bus,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.counters = client.getDatabase(database).getCollection("notice_counters");
        this.config = config.notices();
        this.bus = bus;
    }

    void createIndexes(@Observes StartupEvent event) {
        Indexes.ensure(mongoCollection(), Indexes.keys("userId", 1, "seq", 1));
        Indexes.ensure(mongoCollection(), Indexes.keys("expiresAt", 1), new IndexOptions().expireAfter(0L, TimeUnit.SECONDS));
        Indexes.ensure(mongoCollection(), Indexes.keys("at", 1));
    }

    /**
     * Stores a notice for {@code userId} and hands it to this instance's clients at once; other
     * instances get it from the store's feed (the bus delivers each notice once).
     */
    public Uni<Notice> publish(String userId, String type, String resourceId, String hash, Long version, String origin) {
        return counters.findOneAndUpdate(Filters.eq("_id", userId), Updates.inc("seq", 1L),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER))
                .onItem().transformToUni(counter -> {
                    Instant now = Time.now();
                    Notice notice = new Notice();
                    notice.seq = ((Number) counter.get("seq")).longValue();
                    notice.id = userId + ":" + notice.seq;
                    notice.userId = userId;
                    notice.type = type;
                    notice.resourceId = resourceId;
                    notice.hash = hash;
                    notice.version = version;
                    notice.origin = origin;
                    notice.at = now;
                    notice.expiresAt = now.plus(config.retention());
                    return mongoCollection().insertOne(notice).replaceWith(notice);
                })
                .invoke(bus::deliver);
    }

    /** Publishes without letting a failure reach the caller: the change itself has succeeded. */
    public Uni<Void> publishQuietly(String userId, String type, String resourceId, String hash, Long version,
            String origin) {
        return publish(userId, type, resourceId, hash, version, origin).replaceWithVoid()
                .onFailure().invoke(error -> Log.warnf("Notice %s for %s not stored: %s", type, resourceId, error.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** The user's notices after {@code seq}, oldest first. */
    public Uni<List<Notice>> after(String userId, long seq, int limit) {
        return mongoCollection().find(new FindOptions()
                .filter(Filters.and(Filters.eq("userId", userId), Filters.gt("seq", seq)))
                .sort(Sorts.ascending("seq")).limit(limit)).collect().asList();
    }

    /** The user's oldest retained notice, or null. */
    public Uni<Notice> oldest(String userId) {
        return mongoCollection().find(new FindOptions().filter(Filters.eq("userId", userId))
                .sort(Sorts.ascending("seq")).limit(1)).collect().first();
    }

    /** The user's latest sequence number, 0 if none yet. */
    public Uni<Long> latestSeq(String userId) {
        return counters.find(Filters.eq("_id", userId)).collect().first()
                .map(doc -> doc == null ? 0L : ((Number) doc.get("seq")).longValue());
    }

    /** Notices stored at or after {@code since}, oldest first: what the tailing feed reads. */
    Uni<List<Notice>> since(Instant since, int limit) {
        return mongoCollection().find(new FindOptions().filter(Filters.gte("at", since))
                .sort(Sorts.ascending("at")).limit(limit)).collect().asList();
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return mongoCollection().deleteMany(Filters.lt("expiresAt", Instant.now()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
