package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;

/**
 * The embedded store's non-unique indexes: a query answered from one finds exactly what a scan of
 * the collection finds, through inserts, updates, deletes and a restart.
 */
class SecondaryIndexTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String[] GROUPS = {"a", "b", "c"};

    @TempDir
    Path dir;

    private final Random random = new Random(42);

    @Test
    void anIndexedQueryFindsWhatAScanFinds() {
        List<Bson> queries = queries();
        inStore(database -> {
            MongoCollection<Document> indexed = database.getCollection("indexed");
            MongoCollection<Document> scanned = database.getCollection("scanned");
            Consumer<Document> insert = document -> {
                indexed.insertOne(document);
                scanned.insertOne(new Document(document));
            };
            for (int i = 0; i < 300; i++) {
                insert.accept(document(i));
            }
            // Built from the documents already there, then kept up with the writes.
            indexed.createIndex(Indexes.ascending("v"));
            indexed.createIndex(Indexes.compoundIndex(Indexes.ascending("g"), Indexes.descending("v"), Indexes.ascending("_id")));
            indexed.createIndex(Indexes.ascending("expiresAt"));
            for (int i = 300; i < 600; i++) {
                insert.accept(document(i));
            }
            assertSameMatches(queries, indexed, scanned);

            for (int i = 0; i < 600; i += 3) {
                Bson change = Updates.combine(Updates.set("v", value()), Updates.set("g", GROUPS[random.nextInt(3)]));
                indexed.updateOne(Filters.eq("_id", id(i)), change);
                scanned.updateOne(Filters.eq("_id", id(i)), change);
            }
            Bson gone = Filters.lt("expiresAt", Date.from(T0.plusSeconds(100)));
            assertEquals(scanned.deleteMany(gone).getDeletedCount(), indexed.deleteMany(gone).getDeletedCount());
            Bson someGroup = Filters.and(Filters.eq("g", "b"), Filters.gte("v", 0));
            assertEquals(scanned.deleteMany(someGroup).getDeletedCount(), indexed.deleteMany(someGroup).getDeletedCount());
            assertSameMatches(queries, indexed, scanned);
        });

        inStore(database -> {
            MongoCollection<Document> indexed = database.getCollection("indexed");
            MongoCollection<Document> scanned = database.getCollection("scanned");
            assertSameMatches(queries, indexed, scanned);
            Document more = document(1000);
            indexed.insertOne(more);
            scanned.insertOne(new Document(more));
            indexed.deleteOne(Filters.eq("_id", id(1)));
            scanned.deleteOne(Filters.eq("_id", id(1)));
            assertSameMatches(queries, indexed, scanned);
        });
    }

    /**
     * Without a sort, documents come in the order of the index that answered: the range was read, not
     * the collection (which a scan reads by id). An aggregation starting with a $match reads the same
     * range; the backend alone read every document of the collection into memory for it.
     */
    @Test
    void aQueryOrAnAggregationReadsTheRangeItsFilterSelects() {
        inStore(database -> {
            MongoCollection<Document> records = database.getCollection("records");
            records.createIndex(Indexes.ascending("expiresAt"));
            for (int i = 0; i < 50; i++) {
                // ids ascending, expiry descending
                records.insertOne(new Document("_id", id(i)).append("expiresAt", Date.from(T0.minusSeconds(i))));
            }
            Bson expired = Filters.lt("expiresAt", Date.from(T0.minusSeconds(39)));
            List<String> inExpiryOrder = List.of(id(49), id(48), id(47), id(46), id(45), id(44), id(43), id(42), id(41), id(40));
            assertEquals(inExpiryOrder, records.find(expired).map(document -> document.getString("_id")).into(new ArrayList<>()));
            assertEquals(inExpiryOrder, records.aggregate(List.of(Aggregates.match(expired)))
                    .map(document -> document.getString("_id")).into(new ArrayList<>()));
            assertEquals(10, records.countDocuments(expired));
            assertEquals(10, records.deleteMany(expired).getDeletedCount());
            assertEquals(40, records.countDocuments());
        });
    }

    /** As MongoDB does, a compound index refuses a document with two arrays in its keys, and nothing is stored. */
    @Test
    void parallelArraysAreRefusedWhole() {
        inStore(database -> {
            MongoCollection<Document> items = database.getCollection("items");
            items.createIndex(Indexes.ascending("x", "y"));
            assertThrows(MongoWriteException.class,
                    () -> items.insertOne(new Document("_id", "p").append("x", List.of(1, 2)).append("y", List.of(3, 4))));
            assertEquals(0, items.countDocuments());
            items.insertOne(new Document("_id", "q").append("x", List.of(1, 2)).append("y", 3));
            assertEquals(1, items.countDocuments(Filters.and(Filters.eq("x", 2), Filters.eq("y", 3))));
            assertFalse(items.find(Filters.eq("x", 3)).iterator().hasNext());
        });
    }

    /** Opens the store on the test's directory, runs {@code work} against its database, and closes it. */
    private void inStore(Consumer<MongoDatabase> work) {
        EmbeddedStore store = EmbeddedStore.start(dir, "127.0.0.1", 0);
        try (MongoClient client = MongoClients.create(store.connectionString())) {
            work.accept(client.getDatabase("keepsake"));
        } finally {
            store.stop();
        }
    }

    private static void assertSameMatches(List<Bson> queries, MongoCollection<Document> indexed,
            MongoCollection<Document> scanned) {
        int nonEmpty = 0;
        for (Bson query : queries) {
            List<String> expected = ids(scanned, query);
            assertEquals(expected, ids(indexed, query), () -> "query " + query.toBsonDocument());
            nonEmpty += expected.isEmpty() ? 0 : 1;
        }
        assertTrue(nonEmpty > queries.size() / 2, "most queries match something: " + nonEmpty);
    }

    private static List<String> ids(MongoCollection<Document> collection, Bson query) {
        return collection.find(query).sort(Indexes.ascending("_id")).map(document -> document.getString("_id"))
                .into(new ArrayList<>());
    }

    private Document document(int i) {
        Document document = new Document("_id", id(i)).append("g", GROUPS[random.nextInt(3)])
                .append("expiresAt", Date.from(T0.plusSeconds(random.nextInt(1000))));
        if (random.nextInt(10) > 0) {
            document.append("v", value());
        }
        return document;
    }

    /** Numbers of three types, strings, dates, booleans, null and arrays of them, empty ones too. */
    private Object value() {
        return switch (random.nextInt(10)) {
            case 0 -> random.nextInt(40) - 20;
            case 1 -> (long) random.nextInt(40) - 20;
            case 2 -> random.nextInt(400) / 10.0 - 20;
            case 3 -> "s" + random.nextInt(30);
            case 4 -> Date.from(T0.plusSeconds(random.nextInt(1000)));
            case 5 -> random.nextBoolean();
            case 6 -> null;
            case 7 -> List.of(random.nextInt(40) - 20, "s" + random.nextInt(30));
            case 8 -> List.of();
            default -> random.nextInt(5);
        };
    }

    private static List<Bson> queries() {
        List<Bson> queries = new ArrayList<>();
        List<Object> bounds = List.of(0, 5L, -7.5, 2.0, "s1", "s20", "", Date.from(T0.plusSeconds(500)), true, false);
        for (Object bound : bounds) {
            queries.add(Filters.eq("v", bound));
            queries.add(Filters.lt("v", bound));
            queries.add(Filters.lte("v", bound));
            queries.add(Filters.gt("v", bound));
            queries.add(Filters.gte("v", bound));
            queries.add(Filters.and(Filters.eq("g", "a"), Filters.gt("v", bound)));
            queries.add(Filters.and(Filters.eq("g", "c"), Filters.lte("v", bound)));
        }
        queries.add(Filters.and(Filters.gt("v", -3), Filters.lt("v", 9)));
        queries.add(Filters.and(Filters.gte("v", "s1"), Filters.lt("v", "s3")));
        queries.add(Filters.and(Filters.eq("g", "b"), Filters.eq("v", 3)));
        queries.add(Filters.eq("g", "a"));
        queries.add(Filters.and(Filters.eq("g", "a"), Filters.ne("v", 3)));
        queries.add(Filters.lt("expiresAt", Date.from(T0.plusSeconds(250))));
        queries.add(Filters.and(Filters.eq("g", "b"), Filters.gte("expiresAt", Date.from(T0.plusSeconds(900)))));
        queries.add(Filters.or(Filters.lt("v", -10), Filters.gt("v", "s25")));
        queries.add(Filters.and(Filters.eq("g", "a"), Filters.or(Filters.lt("v", 0),
                Filters.and(Filters.eq("v", 0), Filters.lt("_id", id(300))))));
        queries.add(Filters.or(Filters.lt("v", 0), Filters.eq("missing", 1)));
        queries.add(Filters.in("v", 1, 2, "s3"));
        queries.add(Filters.eq("v", null));
        queries.add(Filters.exists("v", false));
        return queries;
    }

    private static String id(int i) {
        return String.format("d%05d", i);
    }
}
