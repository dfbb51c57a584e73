package io.keepsake.notice;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.keepsake.KeepsakeConfig;
import io.keepsake.store.StoreErrors;
import io.keepsake.store.Time;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Publishes outboxes: copies each entry into its user's notice log (where it gets its number),
 * hands the notice to this instance's fan-out, and clears the entry from its document. It runs
 * after the write that made the entry was acknowledged; it is retried while the store is away,
 * and entries left behind by an instance that stopped first are found by a periodic recovery.
 * One user's publications run one batch after another on this instance, in the order of their
 * writes: whatever was queued while a batch was on its way goes out together in the next (an
 * ordered insert per hundred notices, each followed by a head update, then one clear per document),
 * so that however fast one user writes, the publisher keeps up. Listeners here hear each notice as
 * soon as its insert is stored.
 */
@ApplicationScoped
public class NoticePublisher {

    private static final CompletableFuture<Void> IDLE = CompletableFuture.completedFuture(null);
    /** How long after a write of unknown outcome its document's outbox is read again. */
    static final int LOOK_AGAIN_AFTER_SECONDS = 2;
    /** Left-behind outboxes read at once by recovery. */
    private static final int RECOVERY_PAGE = 500;

    private final NoticeLog log;
    private final NoticeFanout fanout;
    private final OutboxClearer clearer;
    private final List<Outbox.Holder> holders;
    /** Documents (holder:id) whose outbox is to be read again after a write of unknown outcome. */
    private final Set<String> lookingAgain = ConcurrentHashMap.newKeySet();
    /** Each user's queue, while it has work. */
    private final Map<String, UserQueue> queues = new ConcurrentHashMap<>();
    /** Keys this instance published lately: an outbox read back with them need not try them again. */
    private final Cache<String, Boolean> published = Caffeine.newBuilder().maximumSize(50_000)
            .expireAfterWrite(Duration.ofMinutes(10)).build();
    private final Duration giveUpAfter;
    /** An entry younger than this may still be on its way through its writer's publisher. */
    private final Duration recoverAfter;

    public NoticePublisher(NoticeLog log, NoticeFanout fanout, OutboxClearer clearer,
            @Any Instance<Outbox.Holder> holders, KeepsakeConfig config) {
        this.log = log;
        this.clearer = clearer;
        this.fanout = fanout;
        this.holders = holders.stream().toList();
        this.giveUpAfter = config.notices().publishRetryFor();
        this.recoverAfter = config.notices().recoverAfter();
    }

    /** One thing to publish: a document's outbox, or a notice with no change behind it (outbox null). */
    private record Item(Outbox outbox, OutboxEntry entry) {

        List<OutboxEntry> entries() {
            return outbox != null ? outbox.entries() : List.of(entry);
        }
    }

    /** A user's publications waiting and whether a batch of them is on its way; guarded by the map's compute. */
    private static final class UserQueue {
        final List<Item> waiting = new ArrayList<>();
        boolean running;
        CompletableFuture<Void> idle;
    }

    /**
     * How a write of the document puts {@code entry} in its outbox: replacing the entries this
     * instance published there, when it knows them all, or else pushed (see {@link Outbox.Write}).
     */
    public Outbox.Write write(Outbox.Holder holder, String documentId, OutboxEntry entry) {
        return new Outbox.Write(entry, clearer.settled(holder, documentId));
    }

    /**
     * Publishes a document's outbox in the background. If the store stays unreachable longer than
     * the retry period, the entries stay in the outbox and recovery publishes them later.
     */
    public void publish(Outbox outbox) {
        if (outbox == null || outbox.entries().isEmpty()) {
            return;
        }
        clearer.writing(outbox);
        enqueue(outbox.userId(), new Item(outbox, null));
    }

    /** Publishes a notice that has no change behind it (a write refused as stale). */
    public void publish(String userId, OutboxEntry entry) {
        enqueue(userId, new Item(null, entry));
    }

    /**
     * The write, watched: when it fails in a way that leaves its outcome unknown (the store may have
     * applied it, and so holds its notice in the document's outbox), that outbox is read again
     * {@value #LOOK_AGAIN_AFTER_SECONDS} s later, and again with backoff while the store stays away,
     * for up to {@code recover-after}; whatever it holds is published. Without this, such a notice
     * would wait for recovery (recover-every plus recover-after: minutes).
     */
    public <T> Uni<T> watched(Outbox.Holder holder, String documentId, String userId, Uni<T> write) {
        return write.onFailure(StoreErrors::mayHaveApplied).invoke(() -> lookAgain(holder, documentId, userId));
    }

    private void lookAgain(Outbox.Holder holder, String documentId, String userId) {
        String document = holder.name() + ':' + documentId;
        if (!lookingAgain.add(document)) {
            return; // already to be looked at
        }
        Duration first = Duration.ofSeconds(LOOK_AGAIN_AFTER_SECONDS);
        Uni.createFrom().voidItem().onItem().delayIt().by(first)
                .onItem().transformToUni(ignored -> holder.outboxOf(documentId, userId))
                .onFailure().retry().withBackOff(first, recoverAfter.compareTo(first) > 0 ? recoverAfter : first)
                .expireIn(Math.max(first.toMillis(), recoverAfter.toMillis()))
                .onTermination().invoke(() -> lookingAgain.remove(document))
                .subscribe().with(outbox -> publish(outbox),
                        error -> Log.warnf("Outbox of %s %s not read again (%s); recovery will publish it",
                                holder.name(), documentId, error.getMessage()));
    }

    /** Completes when the user has nothing queued or on its way any more (for tests and shutdown). */
    public CompletionStage<Void> drained(String userId) {
        CompletableFuture<Void>[] idle = new CompletableFuture[] {IDLE};
        queues.computeIfPresent(userId, (user, queue) -> {
            if (queue.idle == null) {
                queue.idle = new CompletableFuture<>();
            }
            idle[0] = queue.idle;
            return queue;
        });
        return idle[0];
    }

    private void enqueue(String userId, Item item) {
        boolean[] start = {false};
        queues.compute(userId, (user, queue) -> {
            UserQueue q = queue != null ? queue : new UserQueue();
            q.waiting.add(item);
            if (!q.running) {
                q.running = start[0] = true;
            }
            return q;
        });
        if (start[0]) {
            next(userId);
        }
    }

    /** Sends the user's next batch, or leaves the queue when nothing waits. */
    private void next(String userId) {
        List<Item> batch = new ArrayList<>();
        CompletableFuture<Void>[] idle = new CompletableFuture[1];
        queues.computeIfPresent(userId, (user, queue) -> {
            batch.addAll(queue.waiting);
            queue.waiting.clear();
            if (batch.isEmpty()) {
                idle[0] = queue.idle;
                return null;
            }
            return queue;
        });
        if (batch.isEmpty()) {
            if (idle[0] != null) {
                idle[0].complete(null);
            }
            return;
        }
        publishNow(userId, batch)
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).expireIn(giveUpAfter.toMillis())
                .onFailure().invoke(error -> Log.warnf("Notices of %s not published yet (%s); recovery will retry",
                        userId, error.getMessage()))
                .onFailure().recoverWithNull()
                .subscribe().with(done -> next(userId), error -> next(userId));
    }

    /** Appends the batch's new entries (in order, each once), then clears every document's outbox of them. */
    private Uni<Void> publishNow(String userId, List<Item> batch) {
        List<OutboxEntry> fresh = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        // Each collection's documents, each with every entry the batch saw in it (the latest state last).
        Map<Outbox.Holder, Map<String, Outbox>> documents = new LinkedHashMap<>();
        for (Item item : batch) {
            for (OutboxEntry entry : item.entries()) {
                if (seen.add(entry.key) && published.getIfPresent(entry.key) == null) {
                    fresh.add(entry);
                }
            }
            Outbox outbox = item.outbox();
            if (outbox != null) {
                documents.computeIfAbsent(outbox.holder(), holder -> new LinkedHashMap<>())
                        .merge(outbox.documentId(), outbox, Outbox::and);
            }
        }
        // At most a page of notices per insert; the pages go one after another, in order.
        Uni<Void> appended = Multi.createFrom().iterable(pages(fresh))
                .onItem().transformToUniAndConcatenate(page -> log.append(userId, page, notice -> {
                    published.put(notice.key, Boolean.TRUE);
                    fanout.offer(notice);
                }))
                .collect().last().replaceWithVoid();
        // Every entry is in the log now, stored by this append or found there: recovery need not try it again.
        // Then each document's outbox waits to be cleared, unless the document is already queued again.
        return appended.invoke(() -> fresh.forEach(entry -> published.put(entry.key, Boolean.TRUE)))
                .invoke(() -> documents.values().forEach(outboxes -> outboxes.values().forEach(outbox -> {
            if (!queuedAgain(userId, outbox)) {
                clearer.published(outbox);
            }
        })));
    }

    /** Whether a later write of the outbox's document waits in the user's queue (it is cleared after that one). */
    private boolean queuedAgain(String userId, Outbox outbox) {
        boolean[] again = {false};
        queues.computeIfPresent(userId, (user, queue) -> {
            again[0] = queue.waiting.stream().anyMatch(item -> item.outbox() != null
                    && item.outbox().holder().name().equals(outbox.holder().name())
                    && item.outbox().documentId().equals(outbox.documentId()));
            return queue;
        });
        return again[0];
    }

    private static List<List<OutboxEntry>> pages(List<OutboxEntry> entries) {
        List<List<OutboxEntry>> pages = new ArrayList<>();
        for (int from = 0; from < entries.size(); from += NoticeLog.PAGE) {
            pages.add(entries.subList(from, Math.min(entries.size(), from + NoticeLog.PAGE)));
        }
        return pages;
    }

    /**
     * Publishes what writers left in outboxes and did not publish: an instance stopped (or lost the
     * store) between a write and its notice. Runs shortly after start-up and then periodically.
     */
    @Scheduled(every = "${keepsake.notices.recover-every}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> recover() {
        Instant cutoff = Time.now().minus(recoverAfter);
        return Multi.createFrom().iterable(holders)
                .onItem().transformToUniAndConcatenate(holder -> recover(holder, cutoff, null))
                .collect().last()
                .onFailure().invoke(error -> Log.warnf("Outbox recovery failed: %s", error.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Publishes the holder's left-behind outboxes a page at a time, in the order of their ids. */
    private Uni<Void> recover(Outbox.Holder holder, Instant cutoff, String afterId) {
        return holder.leftBehind(cutoff, afterId, RECOVERY_PAGE).onItem().transformToUni(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            Log.infof("Publishing notices left in %d %s outbox(es)", found.size(), holder.name());
            found.forEach(this::publish);
            return found.size() < RECOVERY_PAGE ? Uni.createFrom().voidItem()
                    : recover(holder, cutoff, found.get(found.size() - 1).documentId());
        });
    }
}
