package io.keepsake.notice;

import java.util.ArrayList;
import java.util.List;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.model.Filters;

/** How the notice log's documents are named and read: a notice {@code userId:n}, a head {@code userId:head}. */
public final class NoticeIds {

    private NoticeIds() {
    }

    /** The id of the user's head document. */
    public static String headId(String userId) {
        return userId + ":head";
    }

    /** The filter of the user's head document (with its shard key). */
    static Bson headDocument(String userId) {
        return Filters.and(Filters.eq("_id", headId(userId)), Filters.eq("userId", userId));
    }

    /** A notice's number. */
    static long seq(Document doc) {
        return ((Number) doc.get("seq")).longValue();
    }

    /** Where a head document says its log ends. */
    static long headOf(Document head) {
        return head.get("head") instanceof Number n ? n.longValue() : 0L;
    }

    /** The user's notices numbered {@code from} to {@code from + count - 1}: read by id, with the shard key. */
    static Bson numbered(String userId, long from, int count) {
        List<String> ids = new ArrayList<>(count);
        for (long seq = from; seq < from + count; seq++) {
            ids.add(Notice.id(userId, seq));
        }
        return Filters.and(Filters.in("_id", ids), Filters.eq("userId", userId));
    }
}
