package io.keepsake.notice;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.keepsake.KeepsakeConfig;
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
 * One user's publications run one after another on this instance, in the order of their writes.
 */
@ApplicationScoped
public class NoticePublisher {

    private static final CompletableFuture<Void> IDLE = CompletableFuture.completedFuture(null);

    private final NoticeLog log;
    private final NoticeFanout fanout;
    private final List<Outbox.Holder> holders;
    /** Each user's last queued publication: the next one starts after it. */
    private final Map<String, CompletableFuture<Void>> queues = new ConcurrentHashMap<>();
    /** Keys this instance published lately: an outbox read back with them need not try them again. */
    private final Cache<String, Boolean> published = Caffeine.newBuilder().maximumSize(50_000)
            .expireAfterWrite(Duration.ofMinutes(10)).build();
    private final Duration giveUpAfter;
    /** An entry younger than this may still be on its way through its writer's publisher. */
    private final Duration recoverAfter;

    public NoticePublisher(NoticeLog log, NoticeFanout fanout, @Any Instance<Outbox.Holder> holders,
            KeepsakeConfig config) {
        this.log = log;
        this.fanout = fanout;
        this.holders = holders.stream().toList();
        this.giveUpAfter = config.notices().publishRetryFor();
        this.recoverAfter = config.notices().recoverAfter();
    }

    /**
     * Publishes a document's outbox in the background. If the store stays unreachable longer than
     * the retry period, the entries stay in the outbox and recovery publishes them later.
     */
    public void publish(Outbox outbox) {
        if (outbox == null || outbox.entries().isEmpty()) {
            return;
        }
        enqueue(outbox.userId(), () -> publishNow(outbox));
    }

    /** Publishes a notice that has no change behind it (a write refused as stale). */
    public void publish(String userId, OutboxEntry entry) {
        enqueue(userId, () -> append(userId, entry).replaceWithVoid());
    }

    /** Completes when every publication queued so far for the user has finished (for tests and shutdown). */
    public CompletionStage<Void> drained(String userId) {
        return queues.getOrDefault(userId, IDLE);
    }

    private void enqueue(String userId, Supplier<Uni<Void>> job) {
        CompletableFuture<Void>[] mine = new CompletableFuture[1];
        queues.compute(userId, (user, previous) -> mine[0] = (previous == null ? IDLE : previous)
                .thenCompose(ignored -> job.get()
                        .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).expireIn(
                                giveUpAfter.toMillis())
                        .onFailure().invoke(error -> Log.warnf("Notices of %s not published yet (%s); recovery will retry",
                                user, error.getMessage()))
                        .onFailure().recoverWithNull()
                        .subscribeAsCompletionStage()));
        mine[0].whenComplete((done, error) -> queues.remove(userId, mine[0]));
    }

    private Uni<Void> publishNow(Outbox outbox) {
        List<String> keys = new ArrayList<>(outbox.entries().size());
        return Multi.createFrom().iterable(outbox.entries())
                .onItem().transformToUniAndConcatenate(entry -> {
                    keys.add(entry.key);
                    return published.getIfPresent(entry.key) != null ? Uni.createFrom().voidItem()
                            : append(outbox.userId(), entry).replaceWithVoid();
                })
                .collect().last()
                .onItem().transformToUni(done -> outbox.holder().published(outbox, keys));
    }

    private Uni<Notice> append(String userId, OutboxEntry entry) {
        return log.append(userId, entry).invoke(notice -> {
            published.put(entry.key, Boolean.TRUE);
            fanout.offer(notice);
        });
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
                .onItem().transformToUniAndConcatenate(holder -> holder.leftBehind(cutoff, 500)
                        .invoke(found -> {
                            if (!found.isEmpty()) {
                                Log.infof("Publishing notices left in %d %s outbox(es)", found.size(), holder.name());
                            }
                            found.forEach(this::publish);
                        }))
                .collect().last()
                .onFailure().invoke(error -> Log.warnf("Outbox recovery failed: %s", error.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
