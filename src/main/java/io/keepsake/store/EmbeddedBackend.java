package io.keepsake.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.oplog.Oplog;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import io.netty.channel.Channel;

/**
 * mongo-java-server's H2 (MVStore) backend with changes that the service relies on:
 * <ul>
 * <li><b>Durable acknowledgement.</b> A command that may have written is answered only once its
 * writes are committed to the data file ({@link GroupCommit}); on its own the backend commits about
 * once a second, after the answer, so a crash lost acknowledged writes.</li>
 * <li><b>Unique indexes compared by value.</b> The backend's index maps compare keys by serialising
 * them; they are kept in maps of their own name whose keys are written and compared value by value
 * ({@link IndexKeyType}). A file written with the old maps drops them on opening, and the indexes are
 * built again from the documents (as any empty index is).</li>
 * <li><b>Lookups by id.</b> The backend uses an index only when a query names exactly that index's
 * fields; a query naming {@code _id} and more (an owner, a tag) scanned the whole collection. Such a
 * query now reads the one document by its key and matches the rest of the filter against it.</li>
 * <li><b>Non-unique indexes.</b> The backend does not build them, so every other query scanned its
 * collection, under the collection's lock (and every write's commit waited for it). They are built
 * ({@link SecondaryIndex}) and a query reads the smallest range of them that holds its matches.</li>
 * <li><b>Documents kept as BSON.</b> The backend's maps Java-serialised every document, which was
 * most of a commit's work after compression ({@link DocumentType}).</li>
 * <li><b>Aggregations from their {@code $match}.</b> The backend read a whole collection into memory
 * for any aggregation (a count too); one that starts with a {@code $match} reads what that selects.</li>
 * </ul>
 */
final class EmbeddedBackend extends H2Backend {

    /** Commands that never write; anything else waits for its commit. */
    private static final Set<String> READS = Set.of("find", "getmore", "aggregate", "count", "distinct",
            "listcollections", "listindexes", "listdatabases", "hello", "ismaster", "ping", "buildinfo",
            "serverstatus", "killcursors", "endsessions", "whatsmyuri", "getparameter", "getlog", "dbstats",
            "collstats", "connectionstatus", "hostinfo", "getcmdlineopts", "getlasterror", "getfreemonitoringstatus");

    private static final Set<String> INDEX_CHANGES = Set.of("createindexes", "dropindexes");

    private final GroupCommit commits;

    EmbeddedBackend(MVStore store, GroupCommit commits) {
        super(store);
        this.commits = commits;
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
        if (command.equalsIgnoreCase("aggregate") && opensChangeStream(query)) {
            // As a standalone mongod answers: the backend's own change streams need its oplog, which grows
            // without bound, so it is off; the notice feed then tails instead.
            throw new MongoServerError(40573, "The $changeStream stage is only supported on replica sets");
        }
        String name = command.toLowerCase(Locale.ROOT);
        boolean writes = !READS.contains(name);
        if (name.equals("aggregate")) {
            AggregateMatch.expect(query);
        }
        // The backend's collections keep their indexes in plain lists: a query that runs while an
        // index is added (at start-up) fails with a ConcurrentModificationException. Index changes
        // therefore run alone; and no command is ever half in a commit (see GroupCommit).
        try {
            return commits.apply(INDEX_CHANGES.contains(name), () -> super.handleCommand(channel, database, command, query));
        } finally {
            AggregateMatch.forget();
            if (writes) {
                commits.awaitCommitted();
            }
        }
    }

    /**
     * The leading {@code $match} of the aggregation this thread is running. The backend starts every
     * aggregation from all the documents of its collection, each one read and held in a list (a
     * user's first quota count read every session of every user, contents included), and applies
     * the {@code $match} to that; the collection reads only what the match can select instead
     * ({@link IdLookupCollection#queryAllAsStream}), and the stage still filters as before.
     */
    private static final class AggregateMatch {

        private static final ThreadLocal<AggregateMatch> RUNNING = new ThreadLocal<>();

        private final String collection;
        private final Document match;

        private AggregateMatch(String collection, Document match) {
            this.collection = collection;
            this.match = match;
        }

        static void expect(Document command) {
            if (command.get("aggregate") instanceof String collection && command.get("pipeline") instanceof List<?> stages
                    && !stages.isEmpty() && stages.get(0) instanceof Document first && first.size() == 1
                    && first.get("$match") instanceof Document match) {
                RUNNING.set(new AggregateMatch(collection, match));
            }
        }

        /** The match, once, for the aggregation's own collection (not one a later stage reads). */
        static Document take(String collection) {
            AggregateMatch expected = RUNNING.get();
            if (expected == null || !expected.collection.equals(collection)) {
                return null;
            }
            RUNNING.remove();
            return expected.match;
        }

        static void forget() {
            RUNNING.remove();
        }
    }

    private static boolean opensChangeStream(Document query) {
        return query.get("pipeline") instanceof List<?> pipeline && !pipeline.isEmpty()
                && pipeline.get(0) instanceof Document first && first.containsKey("$changeStream");
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getCursorRegistry());
    }

    /**
     * Opens collections as {@link IdLookupCollection}s and unique indexes as {@link UniqueIndex}es
     * (inner: H2Database's constructor already opens some).
     */
    private final class Database extends H2Database {

        /** The backend's own name for an index map ({@code <ns>._index_<name>}) and this one's. */
        private static final String OLD_INDEX = "._index_";
        private static final String INDEX = "._keys_";

        Database(String name, CursorRegistry cursors) {
            super(name, getMvStore(), cursors);
        }

        @Override
        public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver resolver,
                Oplog oplog) {
            return "update".equals(command)
                    ? OrderedUpdates.handle(query, one -> super.handleCommand(channel, command, one, resolver, oplog))
                    : super.handleCommand(channel, command, query, resolver, oplog);
        }

        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                boolean sparse) {
            MVStore store = getMvStore();
            String namespace = getFullCollectionNamespace(collectionName);
            // Keys compared as serialised objects: the index is built again into the new map.
            store.removeMap(namespace + OLD_INDEX + indexName);
            MVMap<KeyValue, Object> map = store.openMap(namespace + INDEX + indexName,
                    new MVMap.Builder<KeyValue, Object>().keyType(new IndexKeyType()));
            return new UniqueIndex(map, indexName, keys, sparse);
        }

        /** Non-unique indexes, which the backend does not build, are {@link SecondaryIndex}es in maps of the same naming. */
        @Override
        protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys,
                boolean sparse) {
            MVMap<KeyValue, Boolean> map = getMvStore().openMap(getFullCollectionNamespace(collectionName) + INDEX + indexName,
                    new MVMap.Builder<KeyValue, Boolean>().keyType(new SecondaryKeyType()));
            return new SecondaryIndex(map, indexName, keys, sparse);
        }

        @Override
        protected void dropIndex(MongoCollection<Object> collection, String indexName) {
            super.dropIndex(collection, indexName);
            getMvStore().removeMap(getFullCollectionNamespace(collection.getCollectionName()) + INDEX + indexName);
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            MVStore store = getMvStore();
            String fullName = getFullCollectionNamespace(collectionName);
            // The map names H2Database uses, so that existing data files open as before.
            MVMap<Object, Document> data = store.openMap("databases." + fullName,
                    new MVMap.Builder<Object, Document>().valueType(new DocumentType()));
            MVMap<String, Object> meta = store.openMap("meta." + fullName);
            return new IdLookupCollection(this, collectionName, options, data, meta, cursorRegistry);
        }
    }

    /** Documents are keyed by their {@code _id}: a filter that pins {@code _id} reads only those. */
    private static final class IdLookupCollection extends H2Collection {

        private final MVMap<Object, Document> data;

        IdLookupCollection(MongoDatabase database, String name, CollectionOptions options, MVMap<Object, Document> data,
                MVMap<String, Object> meta, CursorRegistry cursors) {
            super(database, name, options, data, meta, cursors);
            this.data = data;
        }

        /** All the documents, or, for an aggregation starting with a {@code $match}, those it can select. */
        @Override
        public Stream<Document> queryAllAsStream() {
            Document match = AggregateMatch.take(getCollectionName());
            return StreamSupport.stream(handleQuery(match == null ? new Document() : match).spliterator(), false);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                Document fieldSelector) {
            List<Object> ids = pinnedIds(query);
            if (ids == null) {
                Iterable<Object> indexed = fromSecondaryIndex(query);
                return indexed == null ? super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector)
                        : matchDocuments(query, indexed, orderBy, skip, limit, batchSize, fieldSelector);
            }
            List<Object> present = new ArrayList<>(ids.size());
            for (Object id : ids) {
                if (data.containsKey(id)) {
                    present.add(id);
                }
            }
            // The whole filter is still matched against each document read.
            return matchDocuments(query, present, orderBy, skip, limit, batchSize, fieldSelector);
        }

        /**
         * The ids of the documents a query can match, from the collection's secondary indexes; null
         * when a unique index answers the query exactly, or no index narrows it (then it scans).
         */
        private Iterable<Object> fromSecondaryIndex(Document query) {
            List<SecondaryIndex> secondary = new ArrayList<>();
            for (Index<Object> index : getIndexes()) {
                if (index instanceof SecondaryIndex candidate) {
                    secondary.add(candidate);
                } else if (index.canHandle(query)) {
                    return null;
                }
            }
            return secondary.isEmpty() ? null : RangePlanner.candidates(secondary, query);
        }

        /**
         * The string ids a filter restricts {@code _id} to ({@code _id: "x"} or {@code _id: {$in: [...]}},
         * at the top level or inside a top-level {@code $and}), or null when it does not pin them.
         */
        static List<Object> pinnedIds(Document query) {
            for (Map.Entry<String, Object> conjunct : Conjuncts.of(query)) {
                List<Object> ids = conjunct.getKey().equals("_id") ? ids(conjunct.getValue()) : null;
                if (ids != null) {
                    return ids;
                }
            }
            return null;
        }

        private static List<Object> ids(Object condition) {
            if (condition instanceof String id) {
                return List.of(id);
            }
            if (condition instanceof Document operator && operator.size() == 1
                    && operator.get("$in") instanceof Collection<?> values
                    && values.stream().allMatch(String.class::isInstance)) {
                return values.stream().distinct().map(Object.class::cast).toList();
            }
            return null;
        }
    }
}
