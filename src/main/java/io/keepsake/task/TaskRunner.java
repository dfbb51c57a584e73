package io.keepsake.task;

import java.time.Duration;
import java.time.Instant;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import io.keepsake.KeepsakeConfig;
import io.keepsake.config.TasksConfig;
import io.keepsake.store.Ids;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * This instance's task runner. It looks at the queue when a task it knows of becomes due (one
 * enqueued here, or the retry of one that ran here), again after {@code poll-every} while a look
 * runs a full batch, and otherwise only for what nothing announces (tasks enqueued by an instance
 * that runs none, handed back or left behind by one that stopped): a safety look one second after
 * start-up, then {@code poll-every} later, then twice as long after each safety look that finds
 * nothing, up to {@code idle-poll-every}. An idle instance thus leaves the store alone but for one
 * look every {@code idle-poll-every}.
 */
@ApplicationScoped
public class TaskRunner {

    private static final Duration FIRST_LOOK = Duration.ofSeconds(1);

    private final Runner runner;
    private final TaskQueue queue;
    private final TaskMetrics metrics;
    private final TasksConfig config;
    private final long pollEvery;
    private final long idlePollEvery;
    /** The origin of the times below (nanoTime), so that they sort as numbers. */
    private final long origin = System.nanoTime();
    /** When tasks this instance knows of become due. */
    private final NavigableSet<Long> dueAt = new ConcurrentSkipListSet<>();
    // Guarded by this: when the next safety look is due, how many in a row found nothing, when the
    // last one buried abandoned tasks and read the gauge's figures, and the timer of the next look.
    private long safetyAt;
    private int emptySafetyLooks;
    private long housekeptAt;
    private boolean looking;
    private boolean stopped = true;
    private Cancellable timer;
    private long timerAt;
    private long timers;

    public TaskRunner(TaskQueue queue, TaskMetrics metrics, @Any Instance<TaskHandler> handlers, KeepsakeConfig config) {
        this.queue = queue;
        this.metrics = metrics;
        this.config = config.tasks();
        this.pollEvery = this.config.pollEvery().toNanos();
        this.idlePollEvery = this.config.idlePollEvery().toNanos();
        this.runner = new Runner("runner-" + Ids.next(), queue, handlers.stream()
                .collect(Collectors.toMap(TaskHandler::type, Function.identity())), this.config);
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        queue.watch(new TaskQueue.Watcher() {
            @Override
            public void due(Instant at) {
                wake(at);
            }
        });
        synchronized (this) {
            stopped = false;
            safetyAt = now() + FIRST_LOOK.toNanos();
            housekeptAt = now() - idlePollEvery;
            schedule();
        }
    }

    /** Runs due tasks now instead of at the next look (tests). */
    public Uni<Integer> runDue() {
        return runner.runDue(config.batch());
    }

    /** How long until the next look: zero while one runs, forever while none is set (tests watch an idle runner with it). */
    public synchronized Duration untilNextLook() {
        if (looking || timer == null) {
            return looking ? Duration.ZERO : Duration.ofNanos(Long.MAX_VALUE);
        }
        return Duration.ofNanos(Math.max(0, timerAt - now()));
    }

    private long now() {
        return System.nanoTime() - origin;
    }

    /** A task this instance enqueued or failed becomes due at {@code at}: look then. */
    private void wake(Instant at) {
        dueAt.add(now() + Math.max(0, Duration.between(Instant.now(), at).toNanos()));
        synchronized (this) {
            schedule();
        }
    }

    /** Sets the timer for the earliest of the known due tasks and the safety look; while a look runs, its end does. */
    private void schedule() {
        if (stopped || looking) {
            return;
        }
        Long due = dueAt.ceiling(Long.MIN_VALUE);
        long next = due != null && due < safetyAt ? due : safetyAt;
        if (timer != null) {
            if (timerAt <= next) {
                return;
            }
            timer.cancel();
        }
        long generation = ++timers;
        timerAt = next;
        // In whole milliseconds, rounded up: a look a moment early would not find its task due yet.
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - now()) + 1);
        timer = Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(millis))
                .subscribe().with(ignored -> fire(generation));
    }

    private void fire(long generation) {
        boolean safety;
        boolean housekeep;
        long started;
        synchronized (this) {
            if (generation != timers || stopped || looking) {
                return; // a timer that was replaced, or the runner stopped
            }
            timer = null;
            looking = true;
            started = now();
            safety = timerAt >= safetyAt || started >= safetyAt; // set for it, or late enough anyway
            // Abandoned tasks and the gauge's figures can only change elsewhere: read them seldom.
            housekeep = safety && started - housekeptAt >= idlePollEvery - idlePollEvery / 10;
            if (housekeep) {
                housekeptAt = started;
            }
        }
        dueAt.headSet(started, true).clear(); // this look claims whatever is due by now
        Uni<Long> buried = housekeep ? queue.buryAbandoned() : Uni.createFrom().item(0L);
        buried.chain(() -> runner.runDue(config.batch()))
                .call(ran -> housekeep ? metrics.refresh() : Uni.createFrom().voidItem())
                .subscribe().with(ran -> looked(safety, ran), error -> {
                    Log.debugf("Task look failed: %s", error.getMessage());
                    looked(safety, -1);
                });
    }

    /** After a look that ran {@code ran} tasks (-1: it failed), sets the next one. */
    private synchronized void looked(boolean safety, int ran) {
        looking = false;
        long now = now();
        if (safety) {
            emptySafetyLooks = ran > 0 ? 0 : Math.min(emptySafetyLooks + 1, 64);
            safetyAt = now + (ran > 0 ? pollEvery : safetyWait(emptySafetyLooks));
        }
        if (ran >= config.batch() || (ran < 0 && !safety)) {
            dueAt.add(now + pollEvery); // more may be due, or a task waits for the store to answer
        }
        schedule();
    }

    /** The wait after {@code empty} safety looks in a row found nothing: poll-every, doubled each time, up to idle-poll-every. */
    private long safetyWait(int empty) {
        long wait = pollEvery;
        for (int i = 1; i < empty && wait < idlePollEvery; i++) {
            wait *= 2;
        }
        return Math.min(wait, idlePollEvery);
    }

    /** On shutdown, lets running tasks finish briefly, then hands back the rest so that another instance runs them. */
    void release(@Observes ShutdownEvent event) {
        synchronized (this) {
            stopped = true;
            if (timer != null) {
                timer.cancel();
            }
        }
        try {
            Long released = runner.shutdown(config.shutdownGrace())
                    .await().atMost(config.shutdownGrace().plusSeconds(5));
            if (released > 0) {
                Log.infof("Released %d task lease(s) on shutdown", released);
            }
        } catch (RuntimeException e) {
            Log.warnf("Could not release task leases on shutdown: %s", e.getMessage());
        }
    }
}
