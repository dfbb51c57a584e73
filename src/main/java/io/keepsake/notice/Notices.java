package io.keepsake.notice;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.keepsake.KeepsakeConfig;
import io.keepsake.web.ApiProblem;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/** Reading a user's notices after a cursor, waiting for the next one when there is none yet. */
@ApplicationScoped
public class Notices {

    static final int PAGE = 100;

    private final NoticeStore store;
    private final NoticeBus bus;
    private final Duration maxWait;
    /** Completed (with false: nothing arrived) when this instance is about to stop taking requests. */
    private final CompletableFuture<Boolean> closing = new CompletableFuture<>();

    public Notices(NoticeStore store, NoticeBus bus, KeepsakeConfig config) {
        this.store = store;
        this.bus = bus;
        this.maxWait = config.notices().maxWait();
    }

    /** Notices after a cursor; {@code resync} when some that followed it have expired. */
    @RegisterForReflection
    public record Batch(List<NoticeView> items, String cursor, boolean resync) {
    }

    Uni<Batch> poll(String user, String after, String wait) {
        Duration timeout = waitOf(wait);
        Uni<Long> start = after == null || after.isBlank() ? store.latestSeq(user) : Uni.createFrom().item(cursorOf(after));
        return start.onItem().transformToUni(cursor -> {
            // Listen before looking, so that a notice stored in between is not missed.
            CompletableFuture<Boolean> arrived = new CompletableFuture<>();
            Runnable stop = bus.listen(user, notice -> {
                if (notice.seq > cursor) {
                    arrived.complete(true);
                }
            });
            return store.after(user, cursor, PAGE)
                    .onItem().transformToUni(found -> !found.isEmpty() || timeout.isZero()
                            ? Uni.createFrom().item(found)
                            : Uni.createFrom().completionStage(arrived.applyToEither(closing, Function.identity()))
                                    .ifNoItem().after(timeout).recoverWithItem(false)
                                    .onItem().transformToUni(any -> any ? store.after(user, cursor, PAGE)
                                            : Uni.createFrom().item(List.<Notice>of())))
                    .eventually(stop)
                    .onItem().transformToUni(found -> resync(user, cursor, found));
        });
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
        CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(() -> closing.complete(false));
    }

    /** Runs {@code action} when waiting long polls are answered on shutdown. */
    void whenStopping(Runnable action) {
        closing.thenRun(action);
    }

    /** Whether notices following {@code cursor} were already swept, so the client must reload. */
    Uni<Batch> resync(String user, long cursor, List<Notice> found) {
        String next = Long.toString(found.isEmpty() ? cursor : found.get(found.size() - 1).seq);
        List<NoticeView> items = found.stream().map(NoticeView::of).toList();
        if (cursor == 0 || (!found.isEmpty() && found.get(0).seq == cursor + 1)) {
            return Uni.createFrom().item(new Batch(items, next, false));
        }
        return store.oldest(user).map(oldest -> new Batch(items, next, oldest != null && oldest.seq > cursor + 1));
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
}
