package io.keepsake.notice;

import java.time.Instant;

import io.smallrye.mutiny.Uni;

/** What a subscribing socket compares the hash it holds with; the session feature answers. */
public interface SessionStates {

    /** A session's stored state as a notice would describe it. */
    record State(String hash, long version, Instant updatedAt) {
    }

    /** The owner's session's current state, or null when it does not exist (or is not theirs). */
    Uni<State> current(String ownerId, String sessionId);

    /** The current states of several of the owner's sessions, in one read; missing ones are absent. */
    Uni<java.util.Map<String, State>> current(String ownerId, java.util.Collection<String> sessionIds);
}
