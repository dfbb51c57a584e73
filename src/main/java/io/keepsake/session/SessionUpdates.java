package io.keepsake.session;

import java.time.Instant;
import java.util.List;

import org.bson.conversions.Bson;

import com.mongodb.client.model.Updates;

import io.keepsake.content.Draft;
import io.keepsake.notice.Notice;
import io.keepsake.notice.Outbox;
import io.keepsake.notice.OutboxEntry;

/** The updates a write of a session sends, and the session as they leave it. */
final class SessionUpdates {

    private SessionUpdates() {
    }

    /** The update of the idle lifetime a write asks for (a write without one leaves it, and its end, as they are). */
    static Bson lifetime(IdleLifetime lifetime, Instant now) {
        return lifetime.duration() == null ? Updates.combine(Updates.unset("idleLifetime"), Updates.unset("expiresAt"))
                : Updates.combine(Updates.set("idleLifetime", lifetime.stored()), Updates.set("expiresAt",
                        now.plus(lifetime.duration())));
    }

    /** The update of title, description and content (the content's {@code canonical} bytes and hashes). */
    static Bson contentOf(Draft draft, byte[] canonical) {
        return Updates.combine(
                Updates.set("title", draft.title()),
                Updates.set("titleKey", draft.titleKey()),
                Updates.set("description", draft.description()),
                Updates.set("canonical", canonical),
                Updates.unset("content"),
                Updates.set("contentSize", draft.content().length()),
                Updates.set("contentHash", draft.content().sha256()),
                draft.textHash() == null ? Updates.unset("textHash") : Updates.set("textHash", draft.textHash()),
                Updates.set("metadataHash", draft.metadataHash()));
    }

    /** The session a replace leaves, from the document before it and what it wrote (as the update above sets it). */
    static Session written(Session before, Draft draft, byte[] canonical, IdleLifetime lifetime, long version, String tag,
            Instant now, Outbox.Write notice) {
        Session after = new Session();
        after.id = before.id;
        after.ownerId = before.ownerId;
        after.key = before.key;
        after.createdAt = before.createdAt;
        after.title = draft.title();
        after.titleKey = draft.titleKey();
        after.description = draft.description();
        after.canonical = canonical;
        after.contentSize = draft.content().length();
        after.contentHash = draft.content().sha256();
        after.textHash = draft.textHash();
        after.metadataHash = draft.metadataHash();
        after.version = version;
        after.etag = tag;
        after.updatedAt = now;
        after.outbox = notice.after(before.outbox);
        after.idleLifetime = lifetime == null ? before.idleLifetime : lifetime.stored();
        return after;
    }

    /**
     * The entries of the outbox a write left. Every {@code session.updated} entry stands for one
     * increment of the version, so an entry written without its version (a last-write-wins save)
     * gets it by counting back from the session's version.
     */
    static List<OutboxEntry> numbered(Session written) {
        List<OutboxEntry> entries = written.outbox == null ? List.of() : written.outbox;
        long version = written.version;
        for (int i = entries.size() - 1; i >= 0; i--) {
            OutboxEntry entry = entries.get(i);
            if (Notice.SESSION_UPDATED.equals(entry.type)) {
                if (entry.version == null) {
                    entry.version = version;
                }
                version = entry.version - 1;
            }
        }
        return entries;
    }
}
