package io.keepsake.notice;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.keepsake.KeepsakeConfig;
import io.keepsake.web.ApiProblem;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * {@code GET /notices?after=&wait=}: a user's notices after a cursor, read from the log, and when
 * there are none yet, a wait for the next one. A waiting poll is a listener of the user's stream
 * for exactly as long as it waits.
 */
@ApplicationScoped
public class LongPolls {

    private final NoticeLog log;
    private final NoticeFanout fanout;
    private final Duration maxWait;
    /** The polls waiting now: answered at once when the instance begins to stop. */
    private final Set<Waiter> waiting = ConcurrentHashMap.newKeySet();
    private final PerUserCount waitingPerUser;
    private final int maxPerUser;
    private volatile boolean stopping;

    public LongPolls(NoticeLog log, NoticeFanout fanout, KeepsakeConfig config) {
        this.log = log;
        this.fanout = fanout;
        this.maxWait = config.notices().maxWait();
        this.maxPerUser = config.notices().maxLongPollsPerUser();
        this.waitingPerUser = new PerUserCount(maxPerUser);
    }

    /** Notices after a cursor; {@code resync} when some that followed it have expired. */
    @RegisterForReflection
    @Schema(name = "NoticeBatch")
    public record Batch(List<NoticeView> items, String cursor, boolean resync) {
    }

    Uni<Batch> poll(String user, String after, String wait) {
        Duration timeout = waitOf(wait);
        Uni<Long> start = after == null || after.isBlank() ? log.head(user) : Uni.createFrom().item(cursorOf(after));
        return start.onItem().transformToUni(cursor -> log.after(user, cursor, NoticeLog.PAGE)
                .onItem().transformToUni(found -> !found.isEmpty() || timeout.isZero() || stopping
                        ? Uni.createFrom().item(batch(cursor, found))
                        : waitFor(user, cursor, timeout)));
    }

    /** Waits until the user's stream here passes the cursor, the time-out, or the instance stops; then reads. */
    private Uni<Batch> waitFor(String user, long cursor, Duration timeout) {
        if (!waitingPerUser.take(user)) {
            return Uni.createFrom().failure(new ApiProblem(429, "Too Many Requests", "More than " + maxPerUser
                    + " long polls of this user are waiting (keepsake.notices.max-long-polls-per-user)")
                    .retryAfter(Duration.ofSeconds(1)).with("limit", "keepsake.notices.max-long-polls-per-user"));
        }
        Waiter waiter = new Waiter(cursor);
        waiting.add(waiter);
        fanout.listen(user, waiter);
        if (stopping) {
            waiter.arrived.complete(false);
        }
        return Uni.createFrom().completionStage(waiter.arrived)
                .ifNoItem().after(timeout).recoverWithItem(false)
                .eventually(() -> {
                    waiting.remove(waiter);
                    fanout.unlisten(user, waiter);
                    release(user);
                })
                .onItem().transformToUni(arrived -> !arrived
                        ? Uni.createFrom().item(batch(cursor, List.of()))
                        : log.after(user, cursor, NoticeLog.PAGE).onItem().transformToUni(found -> found.isEmpty()
                                ? expired(user, cursor)
                                : Uni.createFrom().item(batch(cursor, found))));
    }

    /** The page after the cursor; a run that starts after cursor + 1 means the client must reload. */
    private static Batch batch(long cursor, List<Notice> found) {
        String next = Long.toString(found.isEmpty() ? cursor : found.get(found.size() - 1).seq);
        List<NoticeView> items = found.stream().map(NoticeView::of).toList();
        return new Batch(items, next, !found.isEmpty() && found.get(0).seq != cursor + 1 && cursor > 0);
    }

    /** Notices follow the cursor but not within a page of it: they expired; resume from the oldest kept. */
    private Uni<Batch> expired(String user, long cursor) {
        return log.firstAfter(user, cursor).map(oldest -> oldest == null ? batch(cursor, List.of())
                : new Batch(List.of(), Long.toString(oldest.seq - 1), true));
    }

    private void release(String user) {
        waitingPerUser.give(user);
    }

    /** How many polls wait now (none are kept once answered). */
    int waiting() {
        return waiting.size();
    }

    /**
     * On shutdown, readiness turns DOWN for {@code quarkus.shutdown.delay}; then requests still in
     * flight get the shutdown time-out before they are cut. Waiting long polls answer (empty, with
     * their cursor) just before the delay ends, so that clients poll again on another replica and
     * the instance stops without waiting for them.
     */
    void onStopping(@Observes ShutdownDelayInitiatedEvent event,
            @ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay) {
        long millis = Math.max(0, delay.orElse(Duration.ZERO).toMillis() - 250);
        CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(() -> {
            stopping = true;
            waiting.forEach(waiter -> waiter.arrived.complete(false));
        });
    }

    static long cursorOf(String after) {
        try {
            long cursor = Long.parseLong(after.trim());
            if (cursor >= 0) {
                return cursor;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiProblem.invalidField("after", "after must be a notice id (a non-negative integer) or absent");
    }

    private Duration waitOf(String wait) {
        if (wait == null || wait.isBlank()) {
            return Duration.ZERO;
        }
        try {
            double seconds = Double.parseDouble(wait.trim());
            if (seconds >= 0 && Double.isFinite(seconds)) {
                Duration asked = Duration.ofMillis((long) (seconds * 1000));
                return asked.compareTo(maxWait) > 0 ? maxWait : asked;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiProblem.invalidField("wait", "wait must be a number of seconds, at most " + maxWait.toSeconds());
    }

    /** One waiting poll: done when a notice after its cursor is handed out (true) or it must answer empty (false). */
    private static final class Waiter implements NoticeFanout.Listener {

        final long cursor;
        final CompletableFuture<Boolean> arrived = new CompletableFuture<>();

        Waiter(long cursor) {
            this.cursor = cursor;
        }

        @Override
        public void start(long position) {
            if (position > cursor) {
                arrived.complete(true);
            }
        }

        @Override
        public void onNotice(Notice notice) {
            if (notice.seq > cursor) {
                arrived.complete(true);
            }
        }

        @Override
        public void failed(Throwable error) {
            arrived.completeExceptionally(error);
        }
    }
}
