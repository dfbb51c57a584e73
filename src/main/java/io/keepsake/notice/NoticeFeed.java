package io.keepsake.notice;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.bson.Document;

import io.keepsake.KeepsakeConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/** Runs this instance's notice reader into the bus, in the mode configured or detected. */
@ApplicationScoped
public class NoticeFeed {

    private final NoticeReader reader;
    private final String feed;

    public NoticeFeed(NoticeStore store, NoticeBus bus, KeepsakeConfig config) {
        this.feed = config.notices().feed();
        this.reader = new NoticeReader(store.mongoCollection().withDocumentClass(Document.class), bus::deliver,
                config.notices().tailEvery());
    }

    void start(@Observes StartupEvent event) {
        NoticeReader.Mode mode = switch (feed) {
            case "change-stream" -> NoticeReader.Mode.CHANGE_STREAM;
            case "tailing" -> NoticeReader.Mode.TAILING;
            default -> null;
        };
        reader.start(mode);
        Log.infof("Notices: reading the store's %s (keepsake.notices.feed=%s)",
                reader.mode() == NoticeReader.Mode.TAILING ? "notices by tailing query" : "change stream", feed);
    }

    void stop(@Observes ShutdownEvent event) {
        reader.stop();
    }

    public NoticeReader.Mode mode() {
        return reader.mode();
    }
}
