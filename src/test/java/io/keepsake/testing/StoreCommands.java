package io.keepsake.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import jakarta.inject.Singleton;

import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;

/**
 * Records the statements the service sends to its store while a test has recording on: the
 * Quarkus Mongo client registers every {@link CommandListener} bean. One command may carry several
 * statements (an update's {@code updates}, an insert's {@code documents}); each is recorded on its
 * own, copied out of the driver's buffer, which is reused once the listener returns.
 */
@Singleton
public class StoreCommands implements CommandListener {

    /** What one statement asks of one collection. */
    public record Statement(String database, String collection, String command, BsonDocument filter,
            BsonDocument document, boolean multi, boolean upsert, boolean sorted, int commandId) {

        @Override
        public String toString() {
            String what = filter != null ? "filter " + filter.toJson() : "document " + document.toJson();
            return command + (multi ? " (multi)" : "") + (upsert ? " (upsert)" : "") + " on " + collection + ": " + what;
        }
    }

    private final ConcurrentLinkedQueue<Statement> recorded = new ConcurrentLinkedQueue<>();
    private volatile boolean recording;

    /** Forgets what was recorded and records from now on. */
    public void start() {
        recorded.clear();
        recording = true;
    }

    /** What was recorded so far (recording goes on). */
    public List<Statement> recorded() {
        return new ArrayList<>(recorded);
    }

    /** Stops recording and returns what was recorded. */
    public List<Statement> stop() {
        recording = false;
        return new ArrayList<>(recorded);
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        if (!recording) {
            return;
        }
        String name = event.getCommandName();
        BsonDocument command = new RawBsonDocument(event.getCommand(), new BsonDocumentCodec());
        BsonValue target = command.get(name);
        if (target == null || !target.isString()) {
            return; // not addressed to a collection (hello, ping, endSessions, getMore, ...)
        }
        String database = event.getDatabaseName();
        int id = event.getRequestId();
        String collection = target.asString().getValue();
        switch (name) {
            case "find" -> recorded.add(new Statement(database, collection, name, orEmpty(command.get("filter")), null,
                    false, false, command.containsKey("sort"), id));
            case "count", "distinct" -> recorded.add(new Statement(database, collection, name,
                    orEmpty(command.get("query")), null, false, false, false, id));
            case "findAndModify" -> recorded.add(new Statement(database, collection, name,
                    orEmpty(command.get("query")), null, false, command.getBoolean("upsert", BsonBoolean.FALSE).getValue(),
                    command.containsKey("sort"), id));
            case "aggregate" -> recorded.add(new Statement(database, collection, name,
                    firstStage(command.getArray("pipeline", new BsonArray())), null, false, false, false, id));
            case "update" -> command.getArray("updates", new BsonArray()).forEach(update -> {
                BsonDocument statement = update.asDocument();
                recorded.add(new Statement(database, collection, name, orEmpty(statement.get("q")), null,
                        statement.getBoolean("multi", BsonBoolean.FALSE).getValue(),
                        statement.getBoolean("upsert", BsonBoolean.FALSE).getValue(), false, id));
            });
            case "delete" -> command.getArray("deletes", new BsonArray()).forEach(delete -> {
                BsonDocument statement = delete.asDocument();
                // limit 0 deletes every match (deleteMany), limit 1 one (deleteOne).
                recorded.add(new Statement(database, collection, name, orEmpty(statement.get("q")), null,
                        statement.getNumber("limit", new BsonInt32(0)).intValue() == 0, false, false, id));
            });
            case "insert" -> command.getArray("documents", new BsonArray()).forEach(document -> recorded.add(
                    new Statement(database, collection, name, null, document.asDocument(), false, false, false, id)));
            default -> {
                // index and collection management, cursors: they name no documents
            }
        }
    }

    private static BsonDocument orEmpty(BsonValue filter) {
        return filter == null ? new BsonDocument() : filter.asDocument();
    }

    /**
     * The stage an aggregation starts with: the {@code $match} that decides which shards it reaches
     * (its condition), or the whole first stage when it is something else (a change stream).
     */
    private static BsonDocument firstStage(BsonArray pipeline) {
        if (pipeline.isEmpty()) {
            return new BsonDocument();
        }
        BsonDocument first = pipeline.get(0).asDocument();
        return first.containsKey("$match") ? first.getDocument("$match") : first;
    }
}
