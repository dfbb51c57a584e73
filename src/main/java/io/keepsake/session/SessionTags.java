package io.keepsake.session;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;

import io.keepsake.KeepsakeConfig;
import io.keepsake.notice.Notice;
import io.keepsake.notice.NoticeFanout;
import io.keepsake.notice.NoticeFeed;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The current tags of recently polled sessions, so that an unchanged poll is answered 304 without
 * a store round trip. An entry is kept true by the owner's notices, which this instance hears for
 * every owner it holds entries of (from its own writes at once, from other instances through the
 * notice feed); it is trusted only while the owner's stream is live here and the feed has read the
 * store within {@code keepsake.notices.tag-cache-max-lag}. Otherwise, or when unsure (an entry
 * missing, notices skipped), the caller reads the store.
 */
@ApplicationScoped
// Caffeine picks its cache and node classes by name; a native image needs these for these caches.
@RegisterForReflection(classNames = {"com.github.benmanes.caffeine.cache.SSA", "com.github.benmanes.caffeine.cache.PSA",
    "com.github.benmanes.caffeine.cache.SSLA", "com.github.benmanes.caffeine.cache.PSAMS"})
public class SessionTags {

    private record Entry(String ownerId, String etag) {
    }

    private final NoticeFanout fanout;
    private final NoticeFeed feed;
    private final Duration maxLag;
    private final boolean enabled;
    /** Session id -> its owner and current tag. */
    private final Cache<String, Entry> tags;
    /** The owners whose notices this cache listens to; dropping one drops what it vouched for. */
    private final Cache<String, Owner> owners;

    public SessionTags(NoticeFanout fanout, NoticeFeed feed, KeepsakeConfig config) {
        this.fanout = fanout;
        this.feed = feed;
        KeepsakeConfig.Notices notices = config.notices();
        this.maxLag = notices.tagCacheMaxLag();
        this.enabled = notices.tagCacheSize() > 0;
        this.tags = Caffeine.newBuilder().maximumSize(Math.max(1, notices.tagCacheSize()))
                .expireAfterAccess(Duration.ofMinutes(10)).build();
        this.owners = Caffeine.newBuilder().maximumSize(Math.max(1, notices.tagCacheSize() / 4))
                .expireAfterAccess(Duration.ofMinutes(10))
                .removalListener((String user, Owner owner, RemovalCause cause) -> {
                    if (owner != null) {
                        fanout.unlisten(user, owner);
                    }
                })
                .build();
    }

    /**
     * The session's current tag when this instance can vouch for it without the store, else null.
     */
    String current(String ownerId, String sessionId) {
        if (!enabled) {
            return null;
        }
        Entry entry = tags.getIfPresent(sessionId);
        if (entry == null || !entry.ownerId().equals(ownerId)) {
            return null;
        }
        Owner owner = owners.getIfPresent(ownerId);
        if (owner == null || !owner.live || !feed.readWithin(maxLag)) {
            return null;
        }
        return entry.etag();
    }

    /** What the store just said (a read or a write through this instance): the session's tag now. */
    void remember(String ownerId, String sessionId, String etag) {
        if (!enabled) {
            return;
        }
        owners.get(ownerId, user -> {
            Owner owner = new Owner(user);
            fanout.listen(user, owner);
            return owner;
        });
        tags.put(sessionId, new Entry(ownerId, etag));
    }

    /** The session changed or went: forget its tag until the store is read again. */
    void forget(String sessionId) {
        tags.invalidate(sessionId);
    }

    int size() {
        return (int) tags.estimatedSize();
    }

    /** Listens to one owner's notices for the cache. */
    private final class Owner implements NoticeFanout.Listener {

        private final String userId;
        private volatile boolean live;

        Owner(String userId) {
            this.userId = userId;
        }

        @Override
        public void start(long position) {
            live = true;
        }

        @Override
        public void onNotice(Notice notice) {
            if (notice.type.startsWith("session.") && !Notice.SESSION_CONFLICT.equals(notice.type)) {
                forget(notice.resourceId);
            }
        }

        @Override
        public void skipped() {
            // Some of the owner's notices were never heard: nothing cached for them is sure any more.
            Map<String, Entry> all = tags.asMap();
            all.entrySet().removeIf(e -> owners.getIfPresent(e.getValue().ownerId()) == this);
        }

        @Override
        public void failed(Throwable error) {
            live = false;
            owners.asMap().remove(userId, this);
        }
    }
}
