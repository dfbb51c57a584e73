package io.keepsake.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
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
        List<Object> inIdOrder = limit > 0 ? inIdOrder(query, positions, orderBy) : null;
        if (inIdOrder != null) {
            // Paging in id order (an export, outbox recovery): read only as far as the page goes.
            Stream<Document> page = inIdOrder.stream().map(this::getDocument).filter(Objects::nonNull)
                    .filter(document -> documentMatchesQuery(document, query)).skip(Math.max(0, skip)).limit(limit);
            return matchDocumentsFromStream(page, query, orderBy, 0, limit, batchSize, fieldSelector);
        }
        Stream<Document> documents = StreamSupport.stream(positions.spliterator(), false)
                .map(this::getDocument).filter(Objects::nonNull);
        return matchDocumentsFromStream(documents, query, orderBy, skip, limit, batchSize, fieldSelector);
    }

    /**
     * The candidates sorted as a query ordered by {@code _id} alone wants them, when their ids are
     * all ASCII strings (whose order is the same in Java and in MongoDB); else null.
     */
    private static List<Object> inIdOrder(Document query, Iterable<Object> positions, Document orderBy) {
        if (orderBy == null || orderBy.size() != 1 || !(orderBy.get("_id") instanceof Number direction)) {
            return null;
        }
        List<Map.Entry<String, Object>> bounds = Conjuncts.of(query).stream().filter(c -> c.getKey().equals("_id")
                && c.getValue() instanceof Document range).toList();
        List<Object> ids = new ArrayList<>();
        for (Object id : positions) {
            if (!(id instanceof String text) || !text.chars().allMatch(c -> c < 0x80)) {
                return null;
            }
            if (within(text, bounds)) {
                ids.add(id); // one outside the filter's range of ids is never read
            }
        }
        Comparator<Object> ascending = Comparator.comparing(String.class::cast);
        ids.sort(direction.intValue() < 0 ? ascending.reversed() : ascending);
        return ids;
    }

    /**
     * A sorted find with a limit holds the first skip + limit matches in order as they are read,
     * never every match: the backend's own sorts them all in memory, so a page of a user's
     * sessions held every one of them, contents included, and an export of 200 sessions of
     * 1.5 MiB ran a 256 MiB heap out. What is held is also left without the fields the projection
     * drops, when it only drops some (a list without contents).
     */
    @Override
    protected QueryResult matchDocumentsFromStream(Stream<Document> documents, Document query, Document orderBy, int skip,
            int limit, int batchSize, Document fieldSelector) {
        Comparator<Document> order = deriveComparator(orderBy);
        long keep = (long) Math.max(0, skip) + limit;
        if (order == null || limit <= 0 || keep >= Integer.MAX_VALUE) {
            return super.matchDocumentsFromStream(documents, query, orderBy, skip, limit, batchSize, fieldSelector);
        }
        Set<String> dropped = dropped(fieldSelector);
        dropped.removeIf(field -> orderBy.keySet().stream().anyMatch(key -> key.equals(field) || key.startsWith(field + ".")));
        PriorityQueue<Document> firsts = new PriorityQueue<>((int) keep + 1, order.reversed());
        documents.filter(document -> documentMatchesQuery(document, query)).forEach(document -> {
            firsts.add(dropped.isEmpty() ? document : without(document, dropped));
            if (firsts.size() > keep) {
                firsts.poll();
            }
        });
        return super.matchDocumentsFromStream(query, firsts.stream(), skip, limit, batchSize, order, fieldSelector);
    }

    /** The top-level fields a projection only excludes (none if it includes any, or names a path or {@code _id}). */
    private static Set<String> dropped(Document fieldSelector) {
        if (fieldSelector == null || fieldSelector.isEmpty()) {
            return new HashSet<>();
        }
        Set<String> dropped = new HashSet<>();
        for (Map.Entry<String, Object> field : fieldSelector.entrySet()) {
            Object value = field.getValue();
            boolean excluded = Boolean.FALSE.equals(value) || (value instanceof Number n && n.doubleValue() == 0);
            if (!excluded || field.getKey().contains(".") || field.getKey().equals("_id")) {
                return new HashSet<>();
            }
            dropped.add(field.getKey());
        }
        return dropped;
    }

    private static Document without(Document document, Set<String> dropped) {
        Document slim = new Document();
        document.forEach((name, value) -> {
            if (!dropped.contains(name)) {
                slim.put(name, value);
            }
        });
        return slim;
    }

    /** Whether an id meets the filter's {@code $gt}, {@code $gte}, {@code $lt}, {@code $lte} on {@code _id} of strings. */
    private static boolean within(String id, List<Map.Entry<String, Object>> bounds) {
        for (Map.Entry<String, Object> bound : bounds) {
            for (Map.Entry<String, Object> condition : ((Document) bound.getValue()).entrySet()) {
                if (!(condition.getValue() instanceof String limit)) {
                    continue; // another type or operator: the match against the document decides
                }
                int order = id.compareTo(limit);
                boolean holds = switch (condition.getKey()) {
                    case "$gt" -> order > 0;
                    case "$gte" -> order >= 0;
                    case "$lt" -> order < 0;
                    case "$lte" -> order <= 0;
                    default -> true;
                };
                if (!holds) {
                    return false;
                }
            }
        }
        return true;
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
