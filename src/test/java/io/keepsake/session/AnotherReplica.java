package io.keepsake.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;

import io.keepsake.hashing.Canonical;
import io.keepsake.hashing.CanonicalJson;
import io.keepsake.notice.Notice;
import io.keepsake.notice.NoticeLog;
import io.keepsake.notice.Outbox;
import io.keepsake.notice.OutboxEntry;
import io.keepsake.testing.EmbeddedStoreResource;
import io.keepsake.web.EntityTags;
import io.quarkus.mongodb.impl.ReactiveMongoClientImpl;

/**
 * Another replica on the tests' store: it saves a session as a replica of the service does, on
 * connections of its own, so that the instance under test hears of it only as it would of any
 * other replica's write (through its notice feed), or not at all.
 */
final class AnotherReplica {

    private AnotherReplica() {
    }

    /**
     * What a save leaves in the store when its replica dies right after the store acknowledged it:
     * the new version, and its notice in the outbox, unpublished. Returns the new tag.
     */
    static String saveAndDieBeforePublishing(String id, String content) throws Exception {
        return save(id, content, true).etag;
    }

    /** A save, and its notice published to the owner's log as the replica's publisher does. Returns the new tag. */
    static String save(String id, String content) throws Exception {
        Saved saved = save(id, content, false);
        try (MongoClient client = MongoClients.create(EmbeddedStoreResource.connectionString())) {
            new NoticeLog(new ReactiveMongoClientImpl(client).getDatabase("keepsake"), Duration.ofHours(1))
                    .append(saved.ownerId, saved.notice).await().atMost(Duration.ofSeconds(10));
        }
        return saved.etag;
    }

    private record Saved(String ownerId, String etag, OutboxEntry notice) {
    }

    /** The new version of the session, with its notice in the outbox if {@code unpublished}. */
    private static Saved save(String id, String content, boolean unpublished) throws Exception {
        Canonical canonical = CanonicalJson.of(new ObjectMapper().readTree(content));
        MongoCollection<Document> sessions = EmbeddedStoreResource.database().getCollection("sessions");
        Document before = sessions.find(Filters.eq("_id", id)).first();
        long version = before.getLong("version") + 1;
        String etag = EntityTags.of(version, canonical.sha256(), before.getString("metadataHash"));
        Instant now = Instant.now();
        OutboxEntry notice = OutboxEntry.of(Notice.SESSION_UPDATED, id, canonical.sha256(), version, "another-replica", now);
        List<Bson> changes = new ArrayList<>(List.of(Updates.set("canonical", canonical.exact()),
                Updates.set("contentSize", canonical.length()), Updates.set("contentHash", canonical.sha256()),
                Updates.set("version", version), Updates.set("etag", etag), Updates.set("updatedAt", Date.from(now))));
        if (unpublished) {
            changes.add(Outbox.push(notice));
        }
        sessions.updateOne(Filters.and(Filters.eq("_id", id), Filters.eq("etag", before.getString("etag"))),
                Updates.combine(changes));
        return new Saved(before.getString("ownerId"), etag, notice);
    }
}
