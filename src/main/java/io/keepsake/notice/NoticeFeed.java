package io.keepsake.notice;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.bson.BsonDocument;
import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.MongoCommandException;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.changestream.ChangeStreamDocument;

import io.keepsake.KeepsakeConfig;
import io.quarkus.logging.Log;
import io.quarkus.mongodb.ChangeStreamOptions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Brings notices stored by other instances to this instance's fan-out. Two ways:
 * <ul>
 * <li><b>change stream</b> (MongoDB replica sets and sharded clusters): every notice as it is
 * stored; re-opened after an error from the last position it delivered (its resume token), and
 * when that position is gone, each listening user's log is read from where it stands;</li>
 * <li><b>tailing</b> (stores without change streams: Cosmos DB, the embedded store): only while
 * users listen here, it reads which of their logs grew (the heads documents changed in the last
 * moments, and all of theirs every few seconds), and the fan-out reads what it is missing. While
 * nobody listens its ticks stop: an idle instance does nothing.</li>
 * </ul>
 * Either way the fan-out puts notices in order and hands each out once, so the feed may repeat
 * itself but must not stop.
 */
@ApplicationScoped
public class NoticeFeed {

    public enum Mode {
        CHANGE_STREAM, TAILING
    }

    /** Heads changed this long before the previous read are read again: clocks and commits are not exact. */
    static final Duration OVERLAP = Duration.ofSeconds(2);
    /** Users whose heads are read in one query. */
    private static final int USERS_PER_READ = 500;
    /**
     * Longest a change stream's empty read waits in the store: its default of a second makes an idle
     * feed a command a second. Kept below the client's read time-out, which it must not outlast.
     */
    static final Duration CHANGE_WAIT = Duration.ofSeconds(10);

    private final NoticeLog log;
    private final NoticeFanout fanout;
    private final String configured;
    private final Duration tailEvery;
    private final Duration reconcileEvery;
    private final Duration changeWait;
    private volatile Mode mode;
    private volatile Cancellable running;
    private volatile BsonDocument resumeToken;
    private volatile boolean stopped;
    /** When the last read that covered every listening user began (tailing), in nanoTime; null before the first. */
    private volatile Long lastReadStarted;
    /** Whether the change stream is open (no error since it was opened). */
    private volatile boolean streaming;
    /** Whether the tailing feed's ticks run: only while users listen here. */
    private final AtomicBoolean tailing = new AtomicBoolean();
    /** The tailing feed reads the heads that grew since this moment (less the overlap). */
    private volatile Instant since = Instant.now();
    private volatile long lastReconcile = System.nanoTime();

    @Inject
    public NoticeFeed(NoticeLog log, NoticeFanout fanout, KeepsakeConfig config,
            @ConfigProperty(name = "quarkus.mongodb.read-timeout") Optional<Duration> readTimeout) {
        this(log, fanout, config.notices().feed(), config.notices().tailEvery(), config.notices().reconcileEvery(),
                readTimeout.map(timeout -> timeout.dividedBy(2)).filter(half -> half.compareTo(CHANGE_WAIT) < 0)
                        .orElse(CHANGE_WAIT));
    }

    public NoticeFeed(NoticeLog log, NoticeFanout fanout, String mode, Duration tailEvery, Duration reconcileEvery) {
        this(log, fanout, mode, tailEvery, reconcileEvery, CHANGE_WAIT);
    }

    private NoticeFeed(NoticeLog log, NoticeFanout fanout, String mode, Duration tailEvery, Duration reconcileEvery,
            Duration changeWait) {
        this.log = log;
        this.fanout = fanout;
        this.configured = mode;
        this.tailEvery = tailEvery;
        this.reconcileEvery = reconcileEvery;
        this.changeWait = changeWait;
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public void start() {
        switch (configured) {
            case "change-stream" -> watch(false);
            case "tailing" -> tail();
            default -> watch(true);
        }
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Whether every notice stored more than {@code lag} ago has been read: the change stream is open,
     * or the tailing feed began a complete read of the store within the lag. Only a read counts: a
     * feed that has not read yet, or not since it last started, vouches for nothing.
     */
    public boolean readWithin(Duration lag) {
        if (mode == Mode.CHANGE_STREAM) {
            return streaming;
        }
        Long started = lastReadStarted;
        return mode == Mode.TAILING && started != null && System.nanoTime() - started < lag.toNanos();
    }

    public void stop() {
        stopped = true;
        Cancellable current = running;
        if (current != null) {
            current.cancel();
        }
    }

    private void watch(boolean fallBack) {
        mode = Mode.CHANGE_STREAM;
        ChangeStreamOptions options = new ChangeStreamOptions().maxAwaitTime(changeWait.toMillis(), TimeUnit.MILLISECONDS);
        BsonDocument token = resumeToken;
        if (token != null) {
            options.resumeAfter(token);
        }
        streaming = true;
        running = log.collection()
                .watch(List.of(Aggregates.match(Filters.and(Filters.eq("operationType", "insert"),
                        // Notices, not the head documents beside them.
                        Filters.exists("fullDocument.seq")))), Document.class, options)
                .subscribe().with(this::changed, error -> {
                    streaming = false;
                    if (stopped) {
                        return;
                    }
                    if (fallBack && unsupported(error)) {
                        Log.infof("Notices: the store has no change streams (%s); tailing instead", error.getMessage());
                        tail();
                        return;
                    }
                    if (resumeToken != null && historyLost(error)) {
                        Log.warnf("Notice change stream cannot resume (%s); reading each listening user's log", error.getMessage());
                        resumeToken = null;
                        reconcile().subscribe().with(done -> { }, failed -> { });
                    } else {
                        Log.warnf("Notice change stream failed (%s); resuming", error.getMessage());
                    }
                    later(() -> watch(fallBack));
                });
        if (token == null) {
            Log.infof("Notices: reading the store's change stream%s (keepsake.notices.feed=%s)",
                    fallBack ? " if it has one" : "", configured);
        }
    }

    private void changed(ChangeStreamDocument<Document> change) {
        if (change.getFullDocument() != null) {
            fanout.offer(Notice.fromDocument(change.getFullDocument()));
        }
        resumeToken = change.getResumeToken();
    }

    private void tail() {
        mode = Mode.TAILING;
        Log.infof("Notices: tailing the notice log's heads every %d ms while users listen (keepsake.notices.feed=%s)",
                tailEvery.toMillis(), configured);
        fanout.whenListened(this::startTailing);
        startTailing();
    }

    /**
     * Starts the ticks if users listen here; they end at the first tick that finds nobody. Whoever
     * listens now reads where their log ends first, so the heads read start from now, and the first
     * read comes one {@code tail-every} after the start, as each later one after the last: a read at
     * the start would find nothing those users need, yet vouch ({@link #readWithin}) for what is held
     * here from the moment it is first read, on a feed that may not read again for long. The start
     * itself is no read: until the first one, the feed vouches for nothing.
     */
    private void startTailing() {
        if (stopped || mode != Mode.TAILING || fanout.users().isEmpty() || !tailing.compareAndSet(false, true)) {
            return;
        }
        since = Instant.now();
        lastReconcile = System.nanoTime();
        running = Multi.createFrom().ticks().startingAfter(tailEvery).every(tailEvery)
                .onOverflow().drop()
                .select().first(tick -> !fanout.users().isEmpty())
                .onItem().transformToUniAndConcatenate(tick -> readHeads())
                .subscribe().with(ignored -> { }, error -> {
                    tailing.set(false);
                    later(this::startTailing);
                }, () -> {
                    tailing.set(false);
                    startTailing(); // someone who began to listen as the ticks ended
                });
    }

    /** One tick: the heads that grew lately, or every listening user's now and then. */
    private Uni<Void> readHeads() {
        long started = System.nanoTime();
        Instant from = since.minus(OVERLAP);
        Instant now = Instant.now();
        Uni<Void> read;
        if (started - lastReconcile >= reconcileEvery.toNanos()) {
            lastReconcile = started;
            read = reconcile();
        } else {
            read = log.headsSince(from).invoke(this::reached).replaceWithVoid();
        }
        return read.invoke(() -> {
                    since = now;
                    lastReadStarted = started;
                })
                .onFailure().invoke(error -> Log.debugf("Tailing notices failed: %s", error.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** Whether the tailing feed reads the store (it does only while users listen here). */
    public boolean tailing() {
        return tailing.get();
    }

    /** Reads the heads of every user listening here and lets the fan-out catch up. */
    Uni<Void> reconcile() {
        List<String> users = new ArrayList<>(fanout.users());
        List<Uni<Void>> reads = new ArrayList<>();
        for (int i = 0; i < users.size(); i += USERS_PER_READ) {
            reads.add(log.heads(users.subList(i, Math.min(users.size(), i + USERS_PER_READ)))
                    .invoke(this::reached).replaceWithVoid());
        }
        return reads.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(reads).andFailFast().replaceWithVoid();
    }

    private void reached(Map<String, Long> heads) {
        heads.forEach(fanout::reaches);
    }

    private void later(Runnable restart) {
        if (stopped) {
            return;
        }
        Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofSeconds(1))
                .subscribe().with(ignored -> {
                    if (!stopped) {
                        restart.run();
                    }
                });
    }

    private static boolean unsupported(Throwable error) {
        if (error instanceof MongoCommandException command) {
            int code = command.getErrorCode();
            return code == 40573 || code == 40324 || code == 115 || code == 136;
        }
        String message = String.valueOf(error.getMessage());
        return message.contains("$changeStream") || message.contains("change stream");
    }

    /** The change stream's resume point is no longer in the store's history. */
    private static boolean historyLost(Throwable error) {
        return error instanceof MongoCommandException command
                && (command.getErrorCode() == 286 || command.getErrorCode() == 260 || command.getErrorCode() == 280);
    }
}
