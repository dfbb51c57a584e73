package io.keepsake.store;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
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
    /** Where Cosmos DB says how long to wait, in the error's message: "Error=16500, RetryAfterMs=100, ...". */
    private static final Pattern RETRY_AFTER_MS = Pattern.compile("RetryAfterMs=(\\d{1,9})");

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
                || isThrottled(error);
    }

    /**
     * Whether a failed write may have been applied all the same: the store went away or the answer
     * did not come in time, after the command may have been sent (a throttled one was refused whole).
     */
    public static boolean mayHaveApplied(Throwable error) {
        return isUnavailable(error) && !isThrottled(error);
    }

    /**
     * Whether Cosmos DB refused the command for its request rate: the command failed with 16500, or
     * every statement of a write that failed did (a bulk write may have applied others).
     */
    public static boolean isThrottled(Throwable error) {
        if (error instanceof MongoBulkWriteException bulk) {
            return !bulk.getWriteErrors().isEmpty() && bulk.getWriteConcernError() == null
                    && bulk.getWriteErrors().stream().allMatch(failed -> failed.getCode() == COSMOS_THROTTLED);
        }
        return error instanceof MongoServerException server && server.getCode() == COSMOS_THROTTLED;
    }

    /**
     * How long a throttled command asks to wait before it is sent again (RetryAfterMs), if it says;
     * the driver's message of a failed command or write quotes the store's.
     */
    public static Optional<Duration> retryAfter(Throwable error) {
        Matcher delay = RETRY_AFTER_MS.matcher(String.valueOf(error.getMessage()));
        return isThrottled(error) && delay.find() ? Optional.of(Duration.ofMillis(Long.parseLong(delay.group(1))))
                : Optional.empty();
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
