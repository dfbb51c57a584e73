package io.keepsake.store;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

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

import io.keepsake.KeepsakeConfig;
import io.keepsake.web.ApiProblem;
import io.quarkus.logging.Log;

/** Classifies driver failures: an unreachable or failing-over store is a 503 the client may retry. */
@ApplicationScoped
public class StoreErrors {

    /** Cosmos DB for MongoDB: "request rate is large", retry after a moment. */
    private static final int COSMOS_THROTTLED = 16500;

    private final Duration retryAfter;

    public StoreErrors(KeepsakeConfig config) {
        this.retryAfter = config.store().retryAfter();
    }

    public static boolean isDuplicateKey(Throwable error) {
        return error instanceof MongoServerException server
                && ErrorCategory.fromErrorCode(server.getCode()) == ErrorCategory.DUPLICATE_KEY;
    }

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

    public ApiProblem toProblem(MongoException error) {
        if (isUnavailable(error)) {
            Log.warnf("Store unavailable: %s", error.getMessage());
            return ApiProblem.unavailable("The store is unavailable; retry later", retryAfter);
        }
        Log.errorf(error, "Store operation failed");
        return new ApiProblem(500, "Internal Server Error", "The store rejected the operation");
    }
}
