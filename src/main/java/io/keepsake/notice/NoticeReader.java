package io.keepsake.notice;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import org.bson.BsonDocument;
import org.bson.Document;

import com.mongodb.MongoCommandException;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;

import io.quarkus.logging.Log;
import io.quarkus.mongodb.ChangeStreamOptions;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Reads every notice stored by any instance, as it is stored: from a change stream where the store
 * offers one (MongoDB replica sets, the embedded store), else by tailing the collection (a
 * standalone mongod, stores without change streams). Each instance runs one.
 */
public final class NoticeReader {

    public enum Mode {
        CHANGE_STREAM, TAILING
    }

    private final ReactiveMongoCollection<Document> notices;
    private final Consumer<Notice> sink;
    private final Duration tailEvery;
    private volatile Mode mode;
    private volatile Cancellable running;
    private volatile BsonDocument resumeToken;
    private volatile Instant tailFrom = Instant.now().minusSeconds(1);
    private volatile boolean stopped;

    public NoticeReader(ReactiveMongoCollection<Document> notices, Consumer<Notice> sink, Duration tailEvery) {
        this.notices = notices;
        this.sink = sink;
        this.tailEvery = tailEvery;
    }

    /** Starts reading; {@code requested} null means: a change stream if the store has one. */
    public void start(Mode requested) {
        if (requested == Mode.TAILING) {
            tail();
        } else {
            watch(requested == null);
        }
    }

    public Mode mode() {
        return mode;
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
        ChangeStreamOptions options = new ChangeStreamOptions();
        if (resumeToken != null) {
            options.resumeAfter(resumeToken);
        }
        running = notices.watch(List.of(Aggregates.match(Filters.eq("operationType", "insert"))), Document.class, options)
                .subscribe().with(
                        change -> {
                            resumeToken = change.getResumeToken();
                            if (change.getFullDocument() != null) {
                                sink.accept(fromDocument(change.getFullDocument()));
                            }
                        },
                        error -> {
                            if (stopped) {
                                return;
                            }
                            if (fallBack && unsupported(error)) {
                                Log.infof("Notices: the store has no change streams (%s); tailing the notices collection",
                                        error.getMessage());
                                tail();
                            } else {
                                Log.warnf("Notice change stream failed (%s); reopening", error.getMessage());
                                resumeToken = null; // a stale token fails again; notices are replayed by cursor
                                reopenLater(() -> watch(fallBack));
                            }
                        });
    }

    private void tail() {
        mode = Mode.TAILING;
        running = Multi.createFrom().ticks().every(tailEvery)
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> notices.find(new FindOptions()
                        .filter(Filters.gte("at", tailFrom.minusSeconds(2))) // overlap: late commits are caught
                        .sort(Sorts.ascending("at")).limit(1000)).collect().asList()
                        .onFailure().recoverWithItem(List.of()))
                .subscribe().with(batch -> {
                    for (Document doc : batch) {
                        Notice notice = fromDocument(doc);
                        if (notice.at.isAfter(tailFrom)) {
                            tailFrom = notice.at;
                        }
                        sink.accept(notice);
                    }
                }, error -> reopenLater(this::tail));
    }

    private void reopenLater(Runnable restart) {
        if (stopped) {
            return;
        }
        io.smallrye.mutiny.Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofSeconds(1))
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

    static Notice fromDocument(Document doc) {
        Notice notice = new Notice();
        notice.id = doc.getString("_id");
        notice.userId = doc.getString("userId");
        notice.seq = ((Number) doc.get("seq")).longValue();
        notice.type = doc.getString("type");
        notice.resourceId = doc.getString("resourceId");
        notice.hash = doc.getString("hash");
        Object version = doc.get("version");
        notice.version = version == null ? null : ((Number) version).longValue();
        notice.origin = doc.getString("origin");
        notice.at = doc.getDate("at").toInstant();
        return notice;
    }
}
