package io.keepsake.store;

import io.quarkus.mongodb.panache.reactive.runtime.JavaReactiveMongoOperations;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;

/**
 * An entity's collection for its Panache repository, looked up once. Panache looks it up again on
 * every call (the entity's annotation, the client bean, a new database and collection wrapper), a
 * cost each store command of a write paid; the collection is immutable and shared safely.
 */
public final class EntityCollection<T> {

    private final Class<T> type;
    private volatile ReactiveMongoCollection<T> collection;

    public EntityCollection(Class<T> type) {
        this.type = type;
    }

    /** The entity's collection, as Panache's {@code mongoCollection()} gives it. */
    public ReactiveMongoCollection<T> get() {
        ReactiveMongoCollection<T> found = collection;
        if (found == null) {
            @SuppressWarnings("unchecked")
            ReactiveMongoCollection<T> looked = (ReactiveMongoCollection<T>) JavaReactiveMongoOperations.INSTANCE.mongoCollection(type);
            collection = found = looked;
        }
        return found;
    }
}
