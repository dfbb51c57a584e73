package io.keepsake.notice;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

import io.github.bucket4j.Bucket;

/** What one socket's client may send: messages a second (a burst of twice as many passes) and bad ones a minute. */
final class MessageAllowance {

    private final Bucket messages;
    private final int errorsPerMinute;
    /** When the bad messages of the last minute came; the connection closes before it holds more than one over the limit. */
    private final Deque<Instant> errors = new ArrayDeque<>();

    MessageAllowance(int messagesPerSecond, int errorsPerMinute) {
        this.messages = Bucket.builder()
                .addLimit(limit -> limit.capacity(2L * messagesPerSecond).refillGreedy(messagesPerSecond, Duration.ofSeconds(1)))
                .build();
        this.errorsPerMinute = errorsPerMinute;
    }

    /** Takes a message from the allowance; false when the client sends faster than allowed. */
    boolean allowMessage() {
        return messages.tryConsume(1);
    }

    /** Counts a bad message; true when there were too many in the last minute. */
    synchronized boolean tooManyErrors() {
        Instant now = Instant.now();
        errors.addLast(now);
        while (!errors.isEmpty() && errors.peekFirst().isBefore(now.minusSeconds(60))) {
            errors.removeFirst();
        }
        return errors.size() > errorsPerMinute;
    }
}
