package io.keepsake.testing;

import java.util.Collection;
import java.util.List;

import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;

/**
 * mongo-java-server's in-memory backend, reading a query that pins {@code _id} from the id index
 * as a real store does, also when the query names more (the shard key next to the id, inside a
 * top-level {@code $and}); on its own the backend uses an index only for a query on exactly that
 * index's fields and scans the collection for anything more. The service's embedded store does the
 * same (store/EmbeddedBackend).
 */
public class IdLookupMemoryBackend extends MemoryBackend {

    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new MemoryDatabase(databaseName, getCursorRegistry()) {
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

        /** The id condition ({@code "x"} or {@code {$in: [...]}}) of the query or of a clause of its top-level $and. */
        private static Object pinnedIds(Document query) {
            Object id = query.get("_id");
            if (id instanceof String || (id instanceof Document in && in.size() == 1 && in.get("$in") instanceof List<?>)) {
                return id;
            }
            if (query.size() == 1 && query.get("$and") instanceof Collection<?> clauses) {
                for (Object clause : clauses) {
                    Object pinned = clause instanceof Document document ? pinnedIds(document) : null;
                    if (pinned != null) {
                        return pinned;
                    }
                }
            }
            return null;
        }
    }
}
