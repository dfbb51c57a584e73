package io.keepsake.session;

/**
 * What {@link SessionTags} holds of a session under one tag: the JSON a read wrote out, or its
 * state with its content (from this instance's write of it, or a read that copies it).
 */
record Held(String etag, byte[] json, Session state) {

    /** What is held once {@code added} comes: it, with what {@code held} holds besides under the same tag. */
    static Held and(Held held, Held added) {
        return !held.etag.equals(added.etag) ? added : new Held(added.etag, added.json != null ? added.json : held.json,
                added.state != null ? added.state : held.state);
    }

    /** Its size in bytes, as the cache weighs it. */
    int weight() {
        return (json == null ? 0 : json.length) + (state == null ? 0 : state.contentSize);
    }
}
