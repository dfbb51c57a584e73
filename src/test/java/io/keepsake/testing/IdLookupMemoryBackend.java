package io.keepsake.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import io.keepsake.store.Conjuncts;
import io.keepsake.store.OrderedUpdates;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;

/**
 * mongo-java-server's in-memory backend, reading a query that pins {@code _id} from the id index
 * as a real store does, also when the query names more (the shard key next to the id, inside a
 * top-level {@code $and}); on its own the backend uses an index only for a query on exactly that
 * index's fields and scans the collection for anything more. The service's embedded store does the
 * same (store/EmbeddedBackend). It can also answer as Cosmos DB does: a duplicate key in its words,
 * and, while {@link #throttle} is on, a fraction of the data commands refused with its error
 * 16500 ("Request rate is large", with {@code RetryAfterMs}), nothing of them applied. While
 * {@link #delay} is on, it answers every command late, as a store that has become very slow does.
 */
public class IdLookupMemoryBackend extends MemoryBackend {

    /** Cosmos DB's words for a duplicate key, which name no index. */
    public static final String COSMOS_DUPLICATE = "Failed _id or unique index constraint";

    /** The commands Cosmos DB bills in request units, and so may throttle (here and in {@link FaultProxy}). */
    static final Set<String> BILLED = Set.of("find", "insert", "update", "delete", "findAndModify", "aggregate",
            "count", "distinct");

    /** What the driver sends to learn that the store is there (handshake, heartbeats): answered at once. */
    private static final Set<String> HANDSHAKE = Set.of("hello", "ismaster");

    private final boolean cosmosMessages;
    private volatile boolean cosmosRules;
    private volatile long delayNanos;
    private volatile long answerDelayNanos;
    /** The commands whose answers {@link #delayAnswers} holds. */
    private volatile Set<String> delayedAnswers = Set.of();
    private volatile double throttled;
    private volatile long retryAfterMs;
    private final AtomicLong billed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public IdLookupMemoryBackend() {
        this(false);
    }

    /** With {@code cosmosMessages}, a duplicate key is worded as Cosmos DB words it. */
    public IdLookupMemoryBackend(boolean cosmosMessages) {
        this.cosmosMessages = cosmosMessages;
    }

    /**
     * From now on also refuses what Cosmos DB for MongoDB refuses and MongoDB allows: a sort on
     * fields that no index holds (error 2, BadValue; Cosmos DB indexes only {@code _id} unless told
     * otherwise, and sorts only along an index: here, one that holds every sorted field), a change
     * stream (it has none for this API's collections here), and a document over 2 MB (error 16).
     */
    public IdLookupMemoryBackend cosmosRules() {
        this.cosmosRules = true;
        return this;
    }

    /**
     * From now on refuses this fraction of the billed commands (0 for none) as Cosmos DB refuses a
     * throttled one, asking for a retry after {@code retryAfterMs}.
     */
    public void throttle(double fraction, long retryAfterMs) {
        this.retryAfterMs = retryAfterMs;
        this.throttled = fraction;
    }

    /**
     * From now on holds every command (but the handshake and heartbeats) for {@code delay} before it
     * is carried out (zero: none); a command held when the delay is switched off goes on at once.
     */
    public void delay(Duration delay) {
        this.delayNanos = delay.toNanos();
    }

    /**
     * Carries out these commands (lower case, e.g. {@code findandmodify}) at once and holds only
     * their answers for {@code delay} (zero: none): a write applied whose answer comes too late.
     */
    public void delayAnswers(Duration delay, Set<String> commands) {
        this.delayedAnswers = commands;
        this.answerDelayNanos = delay.toNanos();
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        String name = command.toLowerCase(Locale.ROOT);
        if (!HANDSHAKE.contains(name)) {
            hold(delayNanos);
        }
        Document answer = super.handleCommand(channel, databaseName, command, query);
        if (delayedAnswers.contains(name)) {
            hold(answerDelayNanos);
        }
        return answer;
    }

    /** Waits this long, or less once the delay it was asked for is switched off. */
    private void hold(long nanos) {
        long received = System.nanoTime();
        while (System.nanoTime() - received < Math.min(nanos, Math.max(delayNanos, answerDelayNanos))) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Billed commands received, and how many of them were refused as throttled. */
    public long[] counts() {
        return new long[] {billed.get(), refused.get()};
    }

    /** Cosmos DB's message for a throttled command (its MongoDB API puts the delay in the message). */
    public static String throttledMessage(long retryAfterMs) {
        return "Error=16500, RetryAfterMs=" + retryAfterMs + ", Details='Response status code does not indicate success: "
                + "TooManyRequests (429); Substatus: 3200; Reason: ({\"Errors\":[\"Request rate is large. More Request "
                + "Units may be needed, so no changes were made. Please retry this request later. Learn more: "
                + "http://aka.ms/cosmosdb-error-429\"]})'";
    }

    /**
     * Null, or the answer to a command refused as throttled: a write gets a write error for the
     * statement it stops at (every statement, unordered), any other command fails whole.
     */
    private Document throttled(String command, Document query) {
        if (!BILLED.contains(command)) {
            return null;
        }
        billed.incrementAndGet();
        if (throttled <= 0 || ThreadLocalRandom.current().nextDouble() >= throttled) {
            return null;
        }
        refused.incrementAndGet();
        String message = throttledMessage(retryAfterMs);
        Object statements = query.get(switch (command) {
            case "insert" -> "documents";
            case "update" -> "updates";
            case "delete" -> "deletes";
            default -> throw new MongoServerError(16500, "TooManyRequests", message);
        });
        int count = Boolean.FALSE.equals(query.get("ordered")) && statements instanceof List<?> all ? all.size() : 1;
        List<Document> errors = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            errors.add(new Document("index", i).append("code", 16500).append("errmsg", message));
        }
        Document answer = new Document("n", 0);
        if (command.equals("update")) {
            answer.append("nModified", 0);
        }
        return answer.append("writeErrors", errors).append("ok", 1.0);
    }

    /** The command's result, its duplicate-key errors worded as Cosmos DB does when asked to. */
    private Document worded(Document result) {
        if (cosmosMessages && result.get("writeErrors") instanceof List<?> errors) {
            for (Object error : errors) {
                Document written = (Document) error;
                if (Integer.valueOf(11000).equals(written.get("code"))) {
                    written.put("errmsg", COSMOS_DUPLICATE);
                }
            }
        }
        return result;
    }

    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new MemoryDatabase(databaseName, getCursorRegistry()) {
            @Override
            public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver resolver,
                    Oplog oplog) {
                Document refused = throttled(command, query);
                if (refused != null) {
                    return refused;
                }
                if (cosmosRules) {
                    CosmosRules.check(command, query, name -> resolveCollection(name, false));
                }
                return worded("update".equals(command)
                        ? OrderedUpdates.handle(query, one -> super.handleCommand(channel, command, one, resolver, oplog))
                        : super.handleCommand(channel, command, query, resolver, oplog));
            }

            @Override
            protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
                return new IdLookupCollection(this, collectionName, options, cursorRegistry);
            }
        };
    }

    private static final class IdLookupCollection extends MemoryCollection {

        IdLookupCollection(MemoryDatabase database, String name, CollectionOptions options, CursorRegistry cursors) {
            super(database, name, options, cursors);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                Document fieldSelector) {
            Object ids = pinnedIds(query);
            if (ids != null) {
                Document byId = new Document("_id", ids);
                for (Index<Integer> index : getIndexes()) {
                    if (index.canHandle(byId)) {
                        // The whole query is still matched against each document the index gives.
                        return matchDocuments(query, index.getPositions(byId), orderBy, skip, limit, batchSize, fieldSelector);
                    }
                }
            }
            return super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector);
        }

        /** The id condition ({@code "x"} or {@code {$in: [...]}}) among the query's {@link Conjuncts}. */
        private static Object pinnedIds(Document query) {
            for (Map.Entry<String, Object> conjunct : Conjuncts.of(query)) {
                Object id = conjunct.getValue();
                if (conjunct.getKey().equals("_id") && (id instanceof String
                        || (id instanceof Document in && in.size() == 1 && in.get("$in") instanceof List<?>))) {
                    return id;
                }
            }
            return null;
        }
    }
}
