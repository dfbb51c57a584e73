package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoCommandException;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;

import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A command the embedded store refuses is answered with its error (the caller reports it), and the
 * store logs nothing of it: its library would log the whole command, content included.
 */
@QuarkusTest
class StoreLogTest {

    @Inject
    ReactiveMongoClient client;

    @Test
    void aRefusedCommandIsAnsweredWithItsErrorAndNotLoggedWithItsContent() {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger library = Logger.getLogger("de.bwaldvogel");
        library.addHandler(capture);
        try {
            // The embedded store answers a change stream as a standalone MongoDB does: refused.
            Throwable refused = client.getDatabase("keepsake").getCollection("logcheck")
                    .watch(List.of(Aggregates.match(Filters.eq("fullDocument.secret", "private-content-1234"))), Document.class)
                    .toUni().onItem().<Throwable>transform(item -> null).onFailure().recoverWithItem(error -> error)
                    .await().atMost(Duration.ofSeconds(10));
            assertTrue(refused instanceof MongoCommandException, "refused: " + refused);
            assertEquals(40573, ((MongoCommandException) refused).getErrorCode());
        } finally {
            library.removeHandler(capture);
        }
        assertTrue(records.stream().noneMatch(r -> String.valueOf(r.getMessage()).contains("private-content")
                || (r.getParameters() != null && List.of(r.getParameters()).toString().contains("private-content"))),
                "logged: " + records.stream().map(LogRecord::getMessage).toList());
    }
}
