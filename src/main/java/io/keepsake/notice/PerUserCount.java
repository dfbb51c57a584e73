package io.keepsake.notice;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** How many of something (open sockets, waiting long polls) each user holds on this instance, up to a limit. */
final class PerUserCount {

    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final int max;

    PerUserCount(int max) {
        this.max = max;
    }

    /** Takes one for the user if that keeps them within the limit; whether it did. */
    boolean take(String user) {
        if (counts.merge(user, 1, Integer::sum) > max) {
            give(user);
            return false;
        }
        return true;
    }

    /** Gives one back. */
    void give(String user) {
        counts.computeIfPresent(user, (u, n) -> n > 1 ? n - 1 : null);
    }
}
