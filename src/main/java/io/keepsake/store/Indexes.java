package io.keepsake.store;

import java.time.Duration;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.model.IndexOptions;

import io.quarkus.logging.Log;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;

/**
 * Creates the indexes a real MongoDB needs, in the background: start-up does not wait for the
 * store, a store that is down or throttling is retried (from a second apart, longer than Cosmos DB's
 * RetryAfterMs: no need for {@link Throttled} here), and an index a store refuses (Cosmos DB allows
 * TTL only on {@code _ts}) is logged and left out; the scheduled sweeps do the TTL work everywhere.
 */
public final class Indexes {

    private Indexes() {
    }

    public static void ensure(ReactiveMongoCollection<?> collection, Bson keys, IndexOptions options) {
        String name = collection.getNamespace().getCollectionName() + " " + keys.toBsonDocument();
        collection.createIndex(keys, options)
                .onFailure(StoreErrors::isUnavailable).retry()
                .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(30)).atMost(20)
                .subscribe().with(
                        created -> Log.debugf("Index ready: %s", name),
                        error -> Log.warnf("Index %s not created: %s", name, error.getMessage()));
    }

    /** Index keys from name/direction pairs, in order: {@code keys("ownerId", 1, "updatedAt", -1)}. */
    public static Bson keys(Object... namesAndDirections) {
        Document keys = new Document();
        for (int i = 0; i < namesAndDirections.length; i += 2) {
            keys.append((String) namesAndDirections[i], namesAndDirections[i + 1]);
        }
        return keys;
    }

    /** Drops an index by name if it is there (one an earlier version made and this one must not keep). */
    public static void drop(ReactiveMongoCollection<?> collection, String index) {
        collection.listIndexes().select().where(existing -> index.equals(existing.get("name"))).collect().first()
                .onItem().ifNotNull().transformToUni(existing -> collection.dropIndex(index)
                        .invoke(() -> Log.infof("Index %s of %s dropped", index, collection.getNamespace().getCollectionName())))
                .onFailure(StoreErrors::isUnavailable).retry()
                .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(30)).atMost(20)
                .subscribe().with(dropped -> { }, error -> Log.warnf("Index %s of %s not dropped: %s", index,
                        collection.getNamespace().getCollectionName(), error.getMessage()));
    }

    public static void ensure(ReactiveMongoCollection<?> collection, Bson keys) {
        ensure(collection, keys, new IndexOptions());
    }
}
