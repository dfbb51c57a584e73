package io.keepsake.testing;

import java.util.Map;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

import io.keepsake.testing.StoreCommands.Statement;

/**
 * The shard (partition) key of each collection, as the design's scaling table and the operator's
 * guide give them, and whether a statement names it, so that a sharded store sends it to one shard.
 */
public final class ShardKeys {

    /** Collection to shard key. Notice heads and WebSocket tickets are keyed by their ids (a user's id, a ticket). */
    public static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("sessions", "ownerId"),
            Map.entry("revisions", "ownerId"),
            Map.entry("snapshots", "_id"),
            Map.entry("snapshot_access_logs", "visitorId"),
            Map.entry("notices", "userId"),
            Map.entry("notice_heads", "_id"),
            Map.entry("tasks", "_id"),
            Map.entry("idempotency_records", "_id"),
            Map.entry("ws_tickets", "_id"),
            Map.entry("usage", "_id"),
            Map.entry("sign_outs", "_id"),
            Map.entry("erasures", "_id"),
            Map.entry("secrets", "_id"));

    private ShardKeys() {
    }

    /**
     * Whether the statement names its collection's shard key. A write to one document (update or
     * delete of one, find-and-modify, any upsert) needs an equality on the key: Cosmos DB refuses
     * it otherwise, a sharded MongoDB before 7.1 refuses such a find-and-modify (and an update or
     * delete naming neither the key nor {@code _id}), and an upsert always needs the whole key to
     * place the document it may insert. A read or a multi-document write may also name several
     * values ({@code $in}), which reaches just their shards. An insert's document must carry the key.
     */
    public static boolean named(Statement statement) {
        String key = KEYS.get(statement.collection());
        if (statement.document() != null) {
            BsonValue value = statement.document().get(key);
            return value != null && !value.isNull();
        }
        boolean oneDocument = statement.upsert() || statement.command().equals("findAndModify")
                || (!statement.multi() && (statement.command().equals("update") || statement.command().equals("delete")));
        return pins(statement.filter(), key, oneDocument);
    }

    /**
     * Whether the filter restricts {@code key} to one value (or, unless {@code exact}, to a list of
     * values), at its top level, in any clause of an {@code $and}, or in every branch of an {@code $or}.
     */
    public static boolean pins(BsonDocument filter, String key, boolean exact) {
        BsonValue condition = filter.get(key);
        if (condition != null && pinsValue(condition, exact)) {
            return true;
        }
        BsonValue and = filter.get("$and");
        if (and != null && and.isArray()
                && and.asArray().stream().anyMatch(clause -> clause.isDocument() && pins(clause.asDocument(), key, exact))) {
            return true;
        }
        BsonValue or = filter.get("$or");
        return !exact && or != null && or.isArray() && !or.asArray().isEmpty()
                && or.asArray().stream().allMatch(branch -> branch.isDocument() && pins(branch.asDocument(), key, false));
    }

    private static boolean pinsValue(BsonValue condition, boolean exact) {
        if (!condition.isDocument()) {
            // A literal is an equality; null also matches documents without the field, a regex many values.
            return !condition.isNull() && !condition.isRegularExpression();
        }
        BsonDocument operators = condition.asDocument();
        if (operators.keySet().stream().noneMatch(name -> name.startsWith("$"))) {
            return true; // equality with an embedded document
        }
        BsonValue eq = operators.get("$eq");
        if (eq != null && !eq.isNull()) {
            return true;
        }
        BsonValue in = operators.get("$in");
        return !exact && in != null && in.isArray() && !in.asArray().isEmpty()
                && in.asArray().stream().noneMatch(value -> value.isNull() || value.isRegularExpression());
    }

    /** Whether {@code field} appears anywhere in the filter (as a field name, at any depth of $and / $or / $nor). */
    public static boolean mentions(BsonDocument filter, String field) {
        for (Map.Entry<String, BsonValue> entry : filter.entrySet()) {
            if (entry.getKey().equals(field)) {
                return true;
            }
            if (entry.getValue().isArray()) {
                BsonArray clauses = entry.getValue().asArray();
                if (clauses.stream().anyMatch(clause -> clause.isDocument() && mentions(clause.asDocument(), field))) {
                    return true;
                }
            }
        }
        return false;
    }
}
