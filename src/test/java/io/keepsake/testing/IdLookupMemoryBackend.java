package io.keepsake.testing;

import java.util.List;
import java.util.Map;

import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
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
 * same (store/EmbeddedBackend).
 */
public class IdLookupMemoryBackend extends MemoryBackend {

    /** Cosmos DB's words for a duplicate key, which name no index. */
    public static final String COSMOS_DUPLICATE = "Failed _id or unique index constraint";

    private final boolean cosmosMessages;

    public IdLookupMemoryBackend() {
        this(false);
    }

    /** With {@code cosmosMessages}, a duplicate key is worded as Cosmos DB words it. */
    public IdLookupMemoryBackend(boolean cosmosMessages) {
        this.cosmosMessages = cosmosMessages;
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
