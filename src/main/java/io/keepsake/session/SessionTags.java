package io.keepsake.session;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;

import io.keepsake.KeepsakeConfig;
import io.keepsake.config.NoticesConfig;
import io.keepsake.notice.Notice;
import io.keepsake.web.EntityTags;
import io.keepsake.notice.NoticeFanout;
import io.keepsake.notice.NoticeFeed;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The current tags of recently read or written sessions, and of some their rendered bodies or
 * their states with content, so that an unchanged poll is answered 304, a read 200, and a merge
 * patch or a snapshot of the session made, without a store round trip. An entry is kept true by
 * the owner's notices, which this instance hears for every owner it holds entries of (from its own
 * writes at once, from other instances through the notice feed); it is trusted only while the
 * owner's stream is live here and the feed has read the store within
 * {@code keepsake.notices.tag-cache-max-lag}. Otherwise, or when unsure (an entry missing, notices
 * skipped), the caller reads the store. A body or state is served only under its own tag.
 *
 * <p>Notices alone cannot vouch for a tag for long: an instance that dies between a write and its
 * notice leaves the notice unpublished for minutes. So a tag is vouched for only within
 * {@code keepsake.reads.max-staleness} of the store read (or write) that found it; an older one is
 * {@link #held} for the caller to check with one store read, which stamps it afresh.
 *
 * <p>A read remembers what it found only if nothing about the session was forgotten since the read
 * began ({@link #stamp()}): a change heard while the read was on its way would otherwise be undone
 * by the older answer arriving after it. A write's answer is remembered under the same rule.
 */
@ApplicationScoped
// Caffeine picks its cache and node classes by name; a native image needs these for these caches.
@RegisterForReflection(classNames = {"com.github.benmanes.caffeine.cache.SSA", "com.github.benmanes.caffeine.cache.PSA",
    "com.github.benmanes.caffeine.cache.SSLA", "com.github.benmanes.caffeine.cache.PSAMS",
    "com.github.benmanes.caffeine.cache.SSMSA", "com.github.benmanes.caffeine.cache.PSWMS"})
public class SessionTags {

    /**
     * A session's tag as read when the clock stood at {@code stamp} and {@link System#nanoTime} at
     * {@code readAt}; a forgotten one has no tag.
     */
    private record Entry(String ownerId, String etag, long stamp, long readAt) {
    }

    /** When a store read began: the count of forgettings then, and the time. */
    record Stamp(long clock, long nanos) {
    }

    private final NoticeFanout fanout;
    private final NoticeFeed feed;
    private final Duration maxLag;
    private final long maxStaleness;
    private final boolean enabled;
    /** Counts forgettings: a read that began at or after a session's last one may remember it. */
    private final AtomicLong clock = new AtomicLong();
    /** The newest stamp of a forgotten entry the cache let go of (its session may be any). */
    private final AtomicLong evictedUpTo = new AtomicLong();
    /** Session id -> its owner and current tag (or that it was forgotten, and when). */
    private final Cache<String, Entry> tags;
    /** Session id -> what is held of it under one tag (see Held); bounded by its size in bytes. */
    private final Cache<String, Held> bodies;
    private final long largestBody;
    /** The owners whose notices this cache listens to; dropping one drops what it vouched for. */
    private final Cache<String, Owner> owners;

    public SessionTags(NoticeFanout fanout, NoticeFeed feed, KeepsakeConfig config) {
        this.fanout = fanout;
        this.feed = feed;
        NoticesConfig notices = config.notices();
        this.maxLag = notices.tagCacheMaxLag();
        this.maxStaleness = config.reads().maxStaleness().toNanos();
        this.enabled = notices.tagCacheSize() > 0;
        Duration expireAfter = notices.tagCacheExpireAfter();
        this.tags = Caffeine.newBuilder().maximumSize(Math.max(1, notices.tagCacheSize()))
                .expireAfterAccess(expireAfter)
                .removalListener((String id, Entry entry, RemovalCause cause) -> {
                    if (entry != null && entry.etag() == null && cause.wasEvicted()) {
                        evictedUpTo.accumulateAndGet(entry.stamp(), Math::max);
                    }
                })
                .build();
        long bodyBytes = notices.bodyCacheSize().asLongValue();
        this.largestBody = enabled ? bodyBytes / 8 : 0;
        this.bodies = Caffeine.newBuilder().maximumWeight(Math.max(1, bodyBytes))
                .weigher((String id, Held held) -> held.weight())
                .expireAfterAccess(expireAfter).build();
        this.owners = Caffeine.newBuilder().maximumSize(Math.max(1, notices.tagCacheSize() / 4))
                .expireAfterAccess(expireAfter)
                // On a timer of its own, not at the cache's next use: an idle instance stops listening, and its feed stops.
                .scheduler(Scheduler.systemScheduler())
                .removalListener((String user, Owner owner, RemovalCause cause) -> {
                    if (owner != null) {
                        fanout.unlisten(user, owner);
                    }
                })
                .build();
    }

    /** Taken before a store read whose answer will be remembered. */
    Stamp stamp() {
        return new Stamp(clock.get(), System.nanoTime());
    }

    /**
     * The session's current tag when this instance can vouch for it without the store, else null.
     */
    String current(String ownerId, String sessionId) {
        Entry entry = entry(ownerId, sessionId);
        if (entry == null || System.nanoTime() - entry.readAt() > maxStaleness) {
            return null;
        }
        Owner owner = owners.getIfPresent(ownerId);
        if (owner == null || !owner.live || !feed.readWithin(maxLag)) {
            return null;
        }
        return entry.etag();
    }

    /**
     * Whether a tag of the owner's session is held, however old, and no notice has said it changed
     * since: a store read of its tag alone then tells whether what is held may be served.
     */
    boolean held(String ownerId, String sessionId) {
        return entry(ownerId, sessionId) != null;
    }

    /** The entry of the owner's session while it has a tag, else null (also with the cache off). */
    private Entry entry(String ownerId, String sessionId) {
        Entry entry = enabled ? tags.getIfPresent(sessionId) : null;
        return entry == null || entry.etag() == null || !entry.ownerId().equals(ownerId) ? null : entry;
    }

    /** The JSON of the session as it is under its current tag, when this instance can vouch for it, else null. */
    byte[] body(String ownerId, String sessionId, String etag) {
        Held held = held(ownerId, sessionId, etag);
        return held == null ? null : held.json();
    }

    /**
     * The owner's session as it was under {@code etag}, content included, when held here, else
     * null. A state under a tag never changes, so it may serve a write conditional on that tag
     * however old it is; whether it is the current one is for {@link #current} to say.
     */
    Session state(String ownerId, String sessionId, String etag) {
        Held held = held(ownerId, sessionId, etag);
        return held == null ? null : held.state();
    }

    private Held held(String ownerId, String sessionId, String etag) {
        Held held = largestBody > 0 && etag != null ? bodies.getIfPresent(sessionId) : null;
        return held != null && held.etag().equals(etag) && (held.state() == null || held.state().ownerId.equals(ownerId))
                ? held : null;
    }

    /** What a store read begun at {@code since} found: the session's tag then. */
    void remember(Session session, Stamp since) {
        remember(session, since, (byte[]) null);
    }

    /** What a store read begun at {@code since} found: the session's tag then, and its JSON when given. */
    void remember(Session session, Stamp since, byte[] json) {
        remember(session, since, new Held(session.etag, json, null));
    }

    /** What a store read begun at {@code since} found, content included: its tag, and its state held. */
    void rememberWithContent(Session session, Stamp since) {
        remember(session, since, new Held(session.etag, null, session.withContent(session.contentBytes())));
    }

    private void remember(Session session, Stamp since, Held held) {
        if (!enabled) {
            return;
        }
        listen(session.ownerId);
        Entry read = new Entry(session.ownerId, session.etag, since.clock(), since.nanos());
        Entry kept = tags.asMap().compute(session.id, (id, known) -> {
            if (known != null) {
                return known.stamp() > since.clock() ? known : read;
            }
            return since.clock() < evictedUpTo.get() ? null : read;
        });
        if (kept == read && held.weight() > 0 && held.weight() <= largestBody) {
            bodies.asMap().merge(session.id, held, Held::and);
        }
    }

    /**
     * This instance wrote the session, as {@code written} with its {@code canonical} content,
     * sending the write at {@code since}. While the owner's notices are heard here, its new tag is
     * current unless anything about the session was heard since (or a later version is held);
     * otherwise its tag is forgotten until the store is read again. Its state is held either way:
     * it is exact under its tag, for the next write conditional on it or a copy of it.
     */
    void wrote(Session written, byte[] canonical, Stamp since) {
        if (enabled && owners.getIfPresent(written.ownerId) != null) {
            long now = clock.incrementAndGet();
            tags.asMap().compute(written.id, (id, known) -> {
                boolean heard = known != null ? known.stamp() > since.clock()
                        || (known.etag() != null && EntityTags.versionOf(known.etag()) > written.version)
                        : since.clock() < evictedUpTo.get();
                return new Entry(written.ownerId, heard ? null : written.etag, now, heard ? 0 : since.nanos());
            });
        } else {
            forget(written.id);
        }
        if (canonical.length <= largestBody) {
            bodies.put(written.id, new Held(written.etag, null, written.withContent(canonical)));
        } else {
            bodies.invalidate(written.id);
        }
    }

    private void listen(String ownerId) {
        owners.get(ownerId, user -> {
            Owner owner = new Owner(user);
            fanout.listen(user, owner);
            return owner;
        });
    }

    /** The session changed or went: forget its tag until the store is read again. */
    void forget(String sessionId) {
        long now = clock.incrementAndGet();
        tags.asMap().compute(sessionId, (id, known) -> known == null ? new Entry(null, null, now, 0)
                : new Entry(known.ownerId(), null, now, 0));
        bodies.invalidate(sessionId);
    }

    /** Everything of the owner's is gone or unsure (their data was erased): forget each of their tags. */
    public void forgetOwner(String userId) {
        Map<String, Entry> all = tags.asMap();
        all.keySet().forEach(id -> all.computeIfPresent(id, (key, entry) -> {
            if (!userId.equals(entry.ownerId())) {
                return entry;
            }
            bodies.invalidate(key);
            return new Entry(entry.ownerId(), null, clock.incrementAndGet(), 0);
        }));
        bodies.asMap().values().removeIf(held -> held.state() != null && userId.equals(held.state().ownerId));
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
            if (notice.type.startsWith("session.") && !Notice.SESSION_CONFLICT.equals(notice.type)
                    && !holdsAtLeast(notice.resourceId, notice)) {
                forget(notice.resourceId);
            }
        }

        /**
         * Whether the tag held is of the notice's version or a later one: read after the change (its
         * own instance's notice arriving after the answer was read), it stays.
         */
        private boolean holdsAtLeast(String sessionId, Notice notice) {
            Entry entry = Notice.SESSION_UPDATED.equals(notice.type) && notice.version != null
                    ? tags.getIfPresent(sessionId) : null;
            return entry != null && entry.etag() != null && EntityTags.versionOf(entry.etag()) >= notice.version;
        }

        @Override
        public void skipped() {
            // Some of the owner's notices were never heard: nothing cached for them is sure any more.
            forgetOwner(userId);
        }

        @Override
        public void failed(Throwable error) {
            live = false;
            owners.asMap().remove(userId, this);
        }
    }
}
