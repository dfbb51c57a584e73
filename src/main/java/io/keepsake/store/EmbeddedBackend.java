package io.keepsake.store;

import java.util.List;
import java.util.Locale;
import java.util.Set;

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
import de.bwaldvogel.mongo.backend.h2.H2Backend;
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
 * <li><b>Finds beside writes.</b> The backend ran a find under its collection's monitor, so one
 * long search held up every write to that collection; finds now run beside them, and reads no
 * longer wait for commits either ({@link GroupCommit}).</li>
 * <li><b>Refused commits.</b> A write whose commit failed is answered as a server shutting down
 * would, and the store opens its file again ({@link EmbeddedStore}).</li>
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

    /** MongoDB's ShutdownInProgress. */
    private static final int SHUTTING_DOWN = 91;

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
        // therefore run alone; and no command that writes is ever half in a commit (see GroupCommit).
        GroupCommit.Access access = INDEX_CHANGES.contains(name) ? GroupCommit.Access.ALONE
                : writes ? GroupCommit.Access.WRITE : GroupCommit.Access.READ;
        try {
            return commits.apply(access, () -> super.handleCommand(channel, database, command, query));
        } catch (RuntimeException e) {
            throw commits.hasFailed() ? refused(e) : e;
        } finally {
            AggregateMatch.forget();
            if (writes) {
                try {
                    commits.awaitCommitted();
                } catch (RuntimeException e) {
                    throw refused(e);
                }
            }
        }
    }

    /**
     * A command the store cannot answer since a commit failed: what a server shutting down answers
     * (code 91), which the driver and the service take as the store being away for a moment. Its
     * writes are not in the data file; the store opens the file again (see EmbeddedStore).
     */
    private static MongoServerError refused(RuntimeException cause) {
        return new MongoServerError(SHUTTING_DOWN, "ShutdownInProgress",
                "The store could not commit, and is opening its data file again; this command was not applied: "
                        + cause.getMessage(), cause);
    }

    /**
     * The leading {@code $match} of the aggregation this thread is running. The backend starts every
     * aggregation from all the documents of its collection, each one read and held in a list (a
     * user's first quota count read every session of every user, contents included), and applies
     * the {@code $match} to that; the collection reads only what the match can select instead
     * ({@link IdLookupCollection#queryAllAsStream}), and the stage still filters as before.
     */
    static final class AggregateMatch {

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
}
