package io.keepsake.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryParameters;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;

/** Documents are keyed by their {@code _id}: a filter that pins {@code _id} reads only those. */
final class IdLookupCollection extends H2Collection {

    IdLookupCollection(MongoDatabase database, String name, CollectionOptions options, MVMap<Object, Document> data,
            MVMap<String, Object> meta, CursorRegistry cursors) {
        super(database, name, options, data, meta, cursors);
    }

    /**
     * A find, beside the collection's writes rather than under its monitor (the backend's own
     * is synchronized, so one long search held up every write to the collection, and every
     * commit behind those). The documents and indexes are MVStore maps, which may be read
     * while they are written; a document removed between its index entry and its read is
     * passed over, as a MongoDB query may miss a document that changes while it runs.
     */
    @Override
    public QueryResult handleQuery(QueryParameters parameters) {
        Document selector = parameters.getQuerySelector();
        String wrapped = selector.containsKey("query") ? "query" : selector.containsKey("$query") ? "$query" : null;
        Document query = wrapped == null ? selector : (Document) selector.get(wrapped);
        Document orderBy = wrapped == null ? null : (Document) selector.get(wrapped.replace("query", "orderby"));
        return queryDocuments(query, orderBy, parameters.getNumberToSkip(), parameters.getLimit(),
                parameters.getBatchSize(), parameters.getProjection());
    }

    @Override
    protected QueryResult matchDocuments(Document query, Iterable<Object> positions, Document orderBy, int skip,
            int limit, int batchSize, Document fieldSelector) {
        Stream<Document> documents = StreamSupport.stream(positions.spliterator(), false)
                .map(this::getDocument).filter(Objects::nonNull);
        return matchDocumentsFromStream(documents, query, orderBy, skip, limit, batchSize, fieldSelector);
    }

    /** All the documents, or, for an aggregation starting with a {@code $match}, those it can select. */
    @Override
    public Stream<Document> queryAllAsStream() {
        Document match = EmbeddedBackend.AggregateMatch.take(getCollectionName());
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
        // The whole filter is still matched against each document read; ids with none are passed over.
        return matchDocuments(query, ids, orderBy, skip, limit, batchSize, fieldSelector);
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
