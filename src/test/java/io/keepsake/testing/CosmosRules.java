package io.keepsake.testing;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * What Azure Cosmos DB for MongoDB (RU) refuses that MongoDB and the embedded store allow, as it
 * answers it: a sort no index serves, a change stream, a document over its 2 MB limit
 * (https://learn.microsoft.com/en-us/azure/cosmos-db/mongodb/indexing,
 * https://learn.microsoft.com/en-us/azure/cosmos-db/concepts-limits).
 */
final class CosmosRules {

    static final int MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

    private CosmosRules() {
    }

    static void check(String command, Document query, Function<String, MongoCollection<?>> collections) {
        switch (command) {
            case "find" -> sortServed(collections.apply((String) query.get("find")), (Document) query.get("sort"));
            case "aggregate" -> {
                for (Object stage : (List<?>) query.get("pipeline")) {
                    Document step = (Document) stage;
                    if (step.containsKey("$changeStream")) {
                        throw new MongoServerError(115, "CommandNotSupported", "Change streams are not supported here");
                    }
                    if (step.get("$sort") instanceof Document sort) {
                        sortServed(collections.apply((String) query.get("aggregate")), sort);
                    }
                }
            }
            case "insert" -> ((List<?>) query.get("documents")).forEach(document -> fits((Document) document));
            case "update" -> ((List<?>) query.get("updates")).forEach(update -> {
                if (((Document) update).get("u") instanceof Document replacement) {
                    fits(replacement);
                }
            });
            default -> {
            }
        }
    }

    private static void sortServed(MongoCollection<?> collection, Document sort) {
        if (sort == null || sort.isEmpty() || collection == null) {
            return;
        }
        Set<String> fields = sort.keySet();
        if (fields.equals(Set.of("_id"))) {
            return;
        }
        for (Index<?> index : collection.getIndexes()) {
            Set<String> keys = index.getKeys().stream().map(IndexKey::getKey).collect(Collectors.toSet());
            if (keys.containsAll(fields)) {
                return;
            }
        }
        throw new MongoServerError(2, "BadValue", "Error=2, Details='Response status code does not indicate success: "
                + "BadRequest (400); Substatus: 0; Reason: (The index path corresponding to the specified order-by item "
                + "is excluded. Sort " + sort + " on " + collection.getCollectionName() + ")'");
    }

    private static void fits(Document document) {
        ByteBuf buffer = Unpooled.buffer();
        try {
            BsonEncoder.encodeDocument(document, buffer);
            if (buffer.writerIndex() > MAX_DOCUMENT_BYTES) {
                throw new MongoServerError(16, "RequestEntityTooLarge",
                        "Error=16, Details='Response status code does not indicate success: RequestEntityTooLarge (413); "
                                + "Reason: (Request size is too large)' (" + buffer.writerIndex() + " bytes)");
            }
        } finally {
            buffer.release();
        }
    }
}
