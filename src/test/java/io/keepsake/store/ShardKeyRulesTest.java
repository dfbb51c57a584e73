package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

import io.keepsake.testing.ShardKeys;
import io.keepsake.testing.StoreCommands.Statement;

/** When a statement names its collection's shard key (the rule ShardKeyTest applies to a whole API walk). */
class ShardKeyRulesTest {

    private static Statement read(String collection, String filter) {
        return new Statement("keepsake", collection, "find", BsonDocument.parse(filter), null, false, false, false, 0);
    }

    private static Statement update(String collection, String filter, boolean multi, boolean upsert) {
        return new Statement("keepsake", collection, "update", BsonDocument.parse(filter), null, multi, upsert, false, 0);
    }

    private static Statement insert(String collection, String document) {
        return new Statement("keepsake", collection, "insert", null, BsonDocument.parse(document), false, false, false, 0);
    }

    @Test
    void aVisitUpsertByTheLogsIdAloneMissesTheVisitorKey() {
        assertFalse(ShardKeys.named(update("snapshot_access_logs",
                "{$and: [{_id: 'dave:s1'}, {lastCountedAt: {$lt: 5}}]}", false, true)));
        assertTrue(ShardKeys.named(update("snapshot_access_logs",
                "{$and: [{_id: 'dave:s1'}, {visitorId: 'dave'}, {lastCountedAt: {$lt: 5}}]}", false, true)));
    }

    @Test
    void aListOfValuesNamesTheKeyForAReadButNotForAWriteToOneDocument() {
        assertTrue(ShardKeys.named(read("notices", "{userId: {$in: ['a', 'b']}}")));
        assertFalse(ShardKeys.named(update("notices", "{userId: {$in: ['a', 'b']}}", false, false)));
        assertTrue(ShardKeys.named(update("notices", "{userId: {$in: ['a', 'b']}}", true, false)));
        assertTrue(ShardKeys.named(update("notices", "{userId: {$eq: 'a'}}", false, false)));
    }

    @Test
    void anOrNamesTheKeyOnlyWhenEveryBranchDoes() {
        assertTrue(ShardKeys.named(read("sessions", "{$or: [{ownerId: 'a'}, {ownerId: 'b', title: 'x'}]}")));
        assertFalse(ShardKeys.named(read("sessions", "{$or: [{ownerId: 'a'}, {title: 'x'}]}")));
    }

    @Test
    void rangesPatternsAndNullAreNotEqualities() {
        assertFalse(ShardKeys.named(read("sessions", "{ownerId: {$gt: 'a'}}")));
        assertFalse(ShardKeys.named(read("sessions", "{ownerId: {$regex: '^a'}}")));
        assertFalse(ShardKeys.named(read("sessions", "{ownerId: null}")));
        assertFalse(ShardKeys.named(read("tasks", "{status: 'pending', nextAttemptAt: {$lte: 5}}")));
    }

    @Test
    void anInsertedDocumentCarriesItsKey() {
        assertTrue(ShardKeys.named(insert("sessions", "{_id: 's1', ownerId: 'carol'}")));
        assertFalse(ShardKeys.named(insert("sessions", "{_id: 's1'}")));
        assertFalse(ShardKeys.named(insert("notices", "{_id: 'carol:1', userId: null}")));
    }
}
