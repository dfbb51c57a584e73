package io.keepsake.notice;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;

/**
 * This instance's fan-out: the notice feed hands every stored notice here once, and here it goes
 * to the listeners (WebSocket connections, long polls) of the notice's user.
 */
@ApplicationScoped
public class NoticeBus {

    private final Map<String, Set<Consumer<Notice>>> listeners = new ConcurrentHashMap<>();
    /** Ids delivered lately: a feed that overlaps itself (tailing, a resumed stream) delivers once. */
    private final Set<String> recent = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 20_000;
        }
    });

    /** Listens to one user's notices until the returned handle is run. */
    public Runnable listen(String userId, Consumer<Notice> listener) {
        listeners.computeIfAbsent(userId, k -> ConcurrentHashMap.newKeySet()).add(listener);
        return () -> listeners.computeIfPresent(userId, (k, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    void deliver(Notice notice) {
        synchronized (recent) {
            if (!recent.add(notice.id)) {
                return;
            }
        }
        Set<Consumer<Notice>> targets = listeners.get(notice.userId);
        if (targets == null) {
            return;
        }
        for (Consumer<Notice> target : targets) {
            try {
                target.accept(notice);
            } catch (RuntimeException e) {
                Log.warnf("A notice listener failed: %s", e.getMessage());
            }
        }
    }

    public int listenerCount() {
        return listeners.values().stream().mapToInt(Set::size).sum();
    }
}
