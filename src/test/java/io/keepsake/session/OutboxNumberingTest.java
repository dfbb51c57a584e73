package io.keepsake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.keepsake.notice.Notice;
import io.keepsake.notice.Outbox;
import io.keepsake.notice.OutboxEntry;

/**
 * A last-write-wins save increments the version in the store and so cannot write it into its
 * notice: each such notice gets its version from the session's, counting back one per
 * {@code session.updated} entry after it.
 */
class OutboxNumberingTest {

    private static OutboxEntry entry(String type, Long version) {
        return OutboxEntry.of(type, "Ab3dE_9zAb3d", "hash", version, null, Instant.EPOCH);
    }

    @Test
    void unnumberedUpdatesAreNumberedFromTheSessionsVersion() {
        Session session = new Session();
        session.id = "Ab3dE_9zAb3d";
        session.ownerId = "carol";
        session.version = 9;
        session.outbox = new ArrayList<>(List.of(entry(Notice.SESSION_UPDATED, 6L), entry(Notice.SESSION_UPDATED, null),
                entry(Notice.SESSION_UPDATED, 8L), entry(Notice.SESSION_UPDATED, null), entry(Notice.SESSION_DELETED, null)));
        Outbox outbox = new SessionRepository(null).outbox(session);
        assertEquals(List.of(6L, 7L, 8L, 9L), outbox.entries().subList(0, 4).stream().map(e -> e.version).toList());
        assertNull(outbox.entries().get(4).version, "a deletion has no version");
    }
}
