package io.keepsake.notice;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.createSession;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;

import io.keepsake.testing.EmbeddedStoreResource;
import io.quarkus.mongodb.impl.ReactiveMongoClientImpl;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Another replica's view: a second notice reader with its own connection to the store hears a
 * change written through this application, by change stream and by tailing query alike.
 */
@QuarkusTest
class NoticeReaderTest {

    private MongoClient client;
    private NoticeReader reader;

    @AfterEach
    void close() {
        reader.stop();
        client.close();
    }

    private List<Notice> readWith(NoticeReader.Mode mode) {
        client = MongoClients.create(EmbeddedStoreResource.connectionString());
        List<Notice> heard = new CopyOnWriteArrayList<>();
        reader = new NoticeReader(new ReactiveMongoClientImpl(client).getDatabase("keepsake").getCollection("notices"),
                heard::add, Duration.ofMillis(100));
        reader.start(mode);
        return heard;
    }

    private void writeAndHear(List<Notice> heard) {
        // A change stream hears what is written after it opens: write until one is heard.
        List<String> written = new CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
            written.add(createSession(ALICE, "cross-replica", 1).path("id"));
            return heard.stream().anyMatch(n -> written.contains(n.resourceId));
        });
        Notice notice = heard.stream().filter(n -> written.contains(n.resourceId)).findFirst().orElseThrow();
        assertEquals("session.updated", notice.type);
        assertEquals(ALICE, notice.userId);
    }

    @Test
    void aSecondReaderHearsTheChangeByChangeStream() {
        List<Notice> heard = readWith(null);
        writeAndHear(heard);
        assertEquals(NoticeReader.Mode.CHANGE_STREAM, reader.mode());
    }

    @Test
    void aSecondReaderHearsTheChangeByTailingQuery() {
        List<Notice> heard = readWith(NoticeReader.Mode.TAILING);
        writeAndHear(heard);
        assertEquals(NoticeReader.Mode.TAILING, reader.mode());
    }
}
