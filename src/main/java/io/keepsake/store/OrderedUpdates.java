package io.keepsake.store;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import de.bwaldvogel.mongo.bson.Document;

/**
 * An ordered {@code update} command as MongoDB runs it: its statements one after another, stopping
 * at the first that fails. mongo-java-server applies every statement whatever fails before it, so
 * the embedded store hands it an ordered command's statements one at a time and stops itself.
 */
public final class OrderedUpdates {

    private OrderedUpdates() {
    }

    /** Runs {@code command} through {@code run}, a statement at a time when it is an ordered update of several. */
    @SuppressWarnings("unchecked")
    public static Document handle(Document command, UnaryOperator<Document> run) {
        List<Document> updates = command.get("updates") instanceof List<?> list ? (List<Document>) list : null;
        if (Boolean.FALSE.equals(command.get("ordered")) || updates == null || updates.size() < 2) {
            return run.apply(command);
        }
        int matched = 0;
        int modified = 0;
        List<Document> upserted = new ArrayList<>();
        Document result = null;
        for (int i = 0; i < updates.size(); i++) {
            Document one = command.clone();
            one.put("updates", List.of(updates.get(i)));
            result = run.apply(one);
            matched += number(result.get("n"));
            modified += number(result.get("nModified"));
            upserted.addAll(indexed(result.get("upserted"), i));
            List<Document> errors = indexed(result.get("writeErrors"), i);
            if (!errors.isEmpty()) {
                result.put("writeErrors", errors);
                break;
            }
        }
        result.put("n", matched);
        result.put("nModified", modified);
        if (upserted.isEmpty()) {
            result.remove("upserted");
        } else {
            result.put("upserted", upserted);
        }
        return result;
    }

    /** A one-statement result's entries, renumbered as statement {@code index} of the whole command. */
    private static List<Document> indexed(Object entries, int index) {
        List<Document> renumbered = new ArrayList<>();
        if (entries instanceof List<?> list) {
            for (Object entry : list) {
                Document copy = ((Document) entry).clone();
                copy.put("index", index);
                renumbered.add(copy);
            }
        }
        return renumbered;
    }

    private static int number(Object value) {
        return value instanceof Number n ? n.intValue() : 0;
    }
}
