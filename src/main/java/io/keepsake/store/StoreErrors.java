package io.keepsake.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteConcernException;

/** Classifies store (driver) failures; what they mean to a client is decided in {@code web}. */
public final class StoreErrors {

    /** Cosmos DB for MongoDB: "request rate is large", retry after a moment. */
    private static final int COSMOS_THROTTLED = 16500;

    private StoreErrors() {
    }

    public static boolean isDuplicateKey(Throwable error) {
        return error instanceof MongoServerException server
                && ErrorCategory.fromErrorCode(server.getCode()) == ErrorCategory.DUPLICATE_KEY;
    }

    /** A failure that passes by itself: the store is unreachable, failing over, throttling or slow. */
    public static boolean isUnavailable(Throwable error) {
        return error instanceof MongoSocketException
                || error instanceof MongoTimeoutException
                || error instanceof MongoNotPrimaryException
                || error instanceof MongoNodeIsRecoveringException
                || error instanceof MongoWriteConcernException
                || error instanceof MongoConnectionPoolClearedException
                || error instanceof MongoInterruptedException
                || error instanceof MongoExecutionTimeoutException
                || (error instanceof MongoServerException server && server.getCode() == COSMOS_THROTTLED);
    }

    /**
     * Any failure of the store or of the client that talks to it: every driver exception
     * (authentication after a credential rotation included), and a client used after it was closed
     * (the driver says so with an IllegalStateException).
     */
    public static boolean isStoreFailure(Throwable error) {
        return error instanceof MongoException
                || (error instanceof IllegalStateException && String.valueOf(error.getMessage()).startsWith("state should be: open"));
    }
}
