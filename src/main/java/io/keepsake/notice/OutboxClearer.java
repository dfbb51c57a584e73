package io.keepsake.notice;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.keepsake.KeepsakeConfig;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Clears published outboxes, as cheaply as it can. A document written again soon has its
 * published entries replaced by that write, in the same command (see {@link Outbox.Write}); what
 * no write replaced within {@code keepsake.notices.clear-after} is cleared then, all documents due
 * together in one command per collection. Only this instance's own publications are known here;
 * anything else an outbox keeps is found by the publisher's recovery.
 */
@ApplicationScoped
class OutboxClearer {

    /** A document: its collection (by the holder's name: a bean and its proxy are one holder) and id. */
    private record Ref(String holder, String documentId) {

        static Ref of(Outbox outbox) {
            return new Ref(outbox.holder().name(), outbox.documentId());
        }
    }

    private record Due(Outbox outbox, long at) {
    }

    /** Documents whose every outbox entry this instance published: those entries' keys. */
    private final Cache<Ref, List<String>> settled = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofMinutes(10)).build();
    /** Published outboxes waiting to be cleared, each from when. */
    private final Map<Ref, Due> due = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Duration after;

    OutboxClearer(KeepsakeConfig config) {
        this.after = config.notices().clearAfter();
    }

    /** The keys of the document's outbox if all of it is published and nothing else wrote it through here (else null). */
    List<String> settled(Outbox.Holder holder, String documentId) {
        return settled.asMap().remove(new Ref(holder.name(), documentId));
    }

    /** The document was written again: its outbox goes through the publisher anew, with what waited here. */
    void writing(Outbox outbox) {
        Ref ref = Ref.of(outbox);
        settled.invalidate(ref);
        due.remove(ref);
    }

    /** The outbox was published: a next write may replace it; if none does in time, it is cleared. */
    void published(Outbox outbox) {
        Ref ref = Ref.of(outbox);
        settled.put(ref, outbox.keys());
        due.put(ref, new Due(outbox, System.nanoTime() + after.toNanos()));
        schedule();
    }

    private void schedule() {
        if (!due.isEmpty() && scheduled.compareAndSet(false, true)) {
            Uni.createFrom().voidItem().onItem().delayIt().by(after)
                    .subscribe().with(ignored -> clear(), error -> scheduled.set(false));
        }
    }

    /** Clears every outbox that is due, one command per collection (and one more for tombstones). */
    private void clear() {
        long now = System.nanoTime();
        Map<String, List<Outbox>> byHolder = new LinkedHashMap<>();
        due.forEach((ref, waiting) -> {
            if (waiting.at() - now <= 0 && due.remove(ref, waiting)) {
                byHolder.computeIfAbsent(ref.holder(), holder -> new ArrayList<>()).add(waiting.outbox());
            }
        });
        scheduled.set(false);
        byHolder.forEach((name, outboxes) -> Uni.createFrom().deferred(() -> outboxes.get(0).holder().published(outboxes))
                .subscribe().with(
                        done -> outboxes.forEach(outbox -> settled.asMap().replace(Ref.of(outbox), outbox.keys(), List.of())),
                        error -> {
                            Log.debugf("Outboxes of %s not cleared yet: %s", name, error.getMessage());
                            // Tried again at the next round; recovery finds them if this instance stops first.
                            outboxes.forEach(outbox -> due.putIfAbsent(Ref.of(outbox), new Due(outbox, now)));
                            schedule();
                        }));
        schedule();
    }
}
