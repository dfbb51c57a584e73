package io.keepsake.sync;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.keepsake.web.ApiProblem;

/**
 * {@code $n} in an operation's target, If-Match (or a snapshot's sessionId): operation n's created
 * id or answered ETag (n from 1). One that names no earlier operation, or one that failed or has
 * no such value, fails its operation with 424 Failed Dependency.
 */
final class References {

    private static final Pattern REFERENCE = Pattern.compile("\\$([0-9]{1,9})");

    private final List<Outcome> done;

    /** @param done the outcomes of the operations run so far, in order */
    References(List<Outcome> done) {
        this.done = done;
    }

    /** The value, or the id operation n created or wrote when it is {@code $n}. */
    String id(String value, int number) {
        return resolve(value, number, Outcome::id, "an id");
    }

    /** The value, or the ETag operation n answered with when it is {@code $n}. */
    String etag(String value, int number) {
        return resolve(value, number, Outcome::etag, "an ETag");
    }

    private String resolve(String value, int number, Function<Outcome, String> of, String what) {
        if (value == null) {
            return null;
        }
        Matcher reference = REFERENCE.matcher(value.trim());
        if (!reference.matches()) {
            return value;
        }
        int n = Integer.parseInt(reference.group(1));
        if (n < 1 || n >= number) {
            throw failedDependency(n, "Operation " + number + " refers to $" + n + ", which is not an operation before it");
        }
        Outcome outcome = done.get(n - 1);
        if (!outcome.succeeded()) {
            throw failedDependency(n, "Operation " + number + " depends on operation " + n + ", which failed ("
                    + outcome.result().status() + ")");
        }
        String resolved = of.apply(outcome);
        if (resolved == null) {
            throw failedDependency(n, "Operation " + number + " refers to $" + n + " for " + what
                    + ", which operation " + n + "'s answer does not carry");
        }
        return resolved;
    }

    static ApiProblem failedDependency(int on, String detail) {
        return new ApiProblem(424, "Failed Dependency", detail).with("dependsOn", on);
    }
}
