package io.keepsake.testing;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.BsonDocument;
import org.bson.BsonValue;

import io.keepsake.testing.StoreCommands.Statement;

/**
 * What one user's operations cost in store commands: only the commands that name that user or
 * their documents count, never what background work does for others. A document is theirs when a
 * counted statement names it by id (a session, its idempotency record, a notice {@code user:n}); a
 * command some of whose statements are someone else's (a batched clear, a shared publish) counts
 * by the share of its statements that are theirs.
 */
public final class CommandCost {

    private CommandCost() {
    }

    /** The commands among {@code recorded} that the user's operations caused. */
    public static double of(String user, List<Statement> recorded) {
        Set<String> names = names(user, recorded);
        Map<Integer, int[]> commands = new LinkedHashMap<>();
        for (Statement statement : recorded) {
            int[] theirsOfAll = commands.computeIfAbsent(statement.commandId(), id -> new int[2]);
            theirsOfAll[0] += names(statement, user, names) ? 1 : 0;
            theirsOfAll[1]++;
        }
        return commands.values().stream().mapToDouble(c -> (double) c[0] / c[1]).sum();
    }

    /** Statements of the commands that count for the user (to show what was counted). */
    public static List<Statement> named(String user, List<Statement> recorded) {
        Set<String> names = names(user, recorded);
        return recorded.stream().filter(s -> names(s, user, names)).toList();
    }

    /** The user and the ids of their documents that {@code recorded} names. */
    private static Set<String> names(String user, List<Statement> recorded) {
        Set<String> names = new HashSet<>(Set.of(user));
        // Ids named next to a known one are the user's too; repeat until nothing new is learned.
        for (boolean grew = true; grew; ) {
            grew = false;
            for (Statement statement : recorded) {
                if (names(statement, user, names)) {
                    for (BsonDocument part : parts(statement)) {
                        BsonValue id = part.get("_id");
                        if (id != null && id.isString()) {
                            grew |= names.add(id.asString().getValue());
                        }
                    }
                }
            }
        }
        return names;
    }

    private static List<BsonDocument> parts(Statement statement) {
        return java.util.stream.Stream.of(statement.filter(), statement.document()).filter(p -> p != null).toList();
    }

    private static boolean names(Statement statement, String user, Set<String> names) {
        return parts(statement).stream().anyMatch(part -> mentions(part, user, names));
    }

    private static boolean mentions(BsonValue value, String user, Set<String> names) {
        if (value.isString()) {
            String text = value.asString().getValue();
            return names.contains(text) || text.startsWith(user + ':');
        }
        if (value.isDocument()) {
            return value.asDocument().values().stream().anyMatch(v -> mentions(v, user, names));
        }
        if (value.isArray()) {
            return value.asArray().stream().anyMatch(v -> mentions(v, user, names));
        }
        return false;
    }
}
