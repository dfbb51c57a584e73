package io.keepsake.webviz;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bson.Document;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.ConnectionString;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoWriteException;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;

import io.keepsake.config.LimitsConfig;
import io.smallrye.config.WithDefault;

/**
 * Brings the original workbench's data into Keepsake: the JSON exports of its three Cosmos DB
 * containers (sessions, snapshots, snapshot access logs; a JSON array, a {@code {"Documents":
 * [...]}} page, or one document per line), written into a running store with their ids, owners,
 * timestamps and visit counts. A document whose id is already there is left alone, so running it
 * again changes nothing; what it skips, and why, it reports.
 *
 * <pre>
 * java -cp 'target/quarkus-app/app/*:target/quarkus-app/lib/main/*' io.keepsake.webviz.Importer \
 *     --uri mongodb://127.0.0.1:27017 [--database keepsake] sessions.json snapshots.json access_logs.json
 * </pre>
 */
public final class Importer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MongoDatabase database;
    private final OriginalDocuments documents;
    private final PrintStream out;

    Importer(MongoDatabase database, LimitsConfig limits, PrintStream out) {
        this.database = database;
        this.documents = new OriginalDocuments(limits);
        this.out = out;
    }

    public static void main(String... args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; 0 when every file was read and every write answered, 1 otherwise, 2 for bad usage. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String uri = null;
        String name = "keepsake";
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--uri" -> uri = i + 1 < args.length ? args[++i] : null;
                case "--database" -> name = i + 1 < args.length ? args[++i] : null;
                default -> files.add(Path.of(args[i]));
            }
        }
        if (uri == null || name == null || files.isEmpty()) {
            err.println("usage: Importer --uri <mongodb connection string> [--database keepsake] <export.json>...");
            return 2;
        }
        MongoClientSettings settings = MongoClientSettings.builder().applyConnectionString(new ConnectionString(uri))
                .writeConcern(WriteConcern.MAJORITY.withJournal(true)).build();
        try (MongoClient client = MongoClients.create(settings)) {
            ImportReport report = new Importer(client.getDatabase(name), limits(), out).importFiles(files);
            report.print(out);
            return report.failed() ? 1 : 0;
        } catch (RuntimeException e) {
            err.println("Import stopped: " + e.getMessage());
            return 1;
        }
    }

    /** Reads every file, then writes sessions, snapshots and access logs, in that order. */
    ImportReport importFiles(List<Path> files) {
        ImportReport report = new ImportReport();
        Map<OriginalDocuments.Kind, List<OriginalDocuments.Converted>> converted = new EnumMap<>(OriginalDocuments.Kind.class);
        for (Path file : files) {
            try {
                for (JsonNode doc : read(file)) {
                    try {
                        OriginalDocuments.Converted one = documents.convert(doc);
                        converted.computeIfAbsent(one.kind(), k -> new ArrayList<>()).add(one);
                    } catch (OriginalDocuments.Refused refused) {
                        report.skipped(OriginalDocuments.kindOf(doc), OriginalDocuments.label(doc), refused.getMessage());
                    }
                }
            } catch (IOException e) {
                report.unreadable(file, e.getMessage());
            }
        }
        for (OriginalDocuments.Kind kind : OriginalDocuments.Kind.values()) {
            for (OriginalDocuments.Converted doc : converted.getOrDefault(kind, List.of())) {
                if (kind == OriginalDocuments.Kind.ACCESS_LOG) {
                    withSnapshotHash(doc.document());
                }
                write(doc, report);
            }
        }
        return report;
    }

    /** Inserts a document unless one with its id exists (then it stays as it is). */
    private void write(OriginalDocuments.Converted doc, ImportReport report) {
        try {
            database.getCollection(doc.kind().collection).insertOne(doc.document());
            report.imported(doc.kind(), doc.id(), doc.note());
        } catch (MongoWriteException e) {
            if (ErrorCategory.fromErrorCode(e.getCode()) == ErrorCategory.DUPLICATE_KEY) {
                report.present(doc.kind());
            } else {
                report.failed(doc.kind(), doc.id(), e.getMessage());
            }
        }
    }

    /** A log shows its snapshot's canonical content hash too, when the snapshot is in the store. */
    private void withSnapshotHash(Document log) {
        Document snapshot = database.getCollection(OriginalDocuments.Kind.SNAPSHOT.collection)
                .find(Filters.eq("_id", log.getString("snapshotId"))).projection(Projections.include("contentHash"))
                .first();
        if (snapshot != null) {
            log.append("snapshotContentHash", snapshot.getString("contentHash"));
        }
    }

    /** The documents of one export: a JSON array, a page with "Documents", or documents one after another. */
    static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file); JsonParser parser = JSON.createParser(in)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return docs;
            }
            if (first == JsonToken.START_ARRAY) {
                JsonNode array = JSON.readTree(parser);
                array.forEach(docs::add);
                return docs;
            }
            MappingIterator<JsonNode> values = JSON.readValues(parser, JsonNode.class);
            while (values.hasNextValue()) {
                JsonNode value = values.nextValue();
                if (value.has("Documents") && value.get("Documents").isArray()) {
                    value.get("Documents").forEach(docs::add);
                } else {
                    docs.add(value);
                }
            }
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException("not JSON: " + e.getOriginalMessage(), e);
        }
        return docs;
    }

    /**
     * The service's content limits: {@code keepsake.limits.*} as system properties or environment
     * variables, else the defaults declared in {@link LimitsConfig}.
     */
    static LimitsConfig limits() {
        return new LimitsConfig() {
            @Override
            public int maxContentBytes() {
                return setting("maxContentBytes");
            }

            @Override
            public int maxTitleLength() {
                return setting("maxTitleLength");
            }

            @Override
            public int maxDescriptionLength() {
                return setting("maxDescriptionLength");
            }

            @Override
            public int maxJsonDepth() {
                return setting("maxJsonDepth");
            }

            // Request-body limits: the importer parses no requests.
            @Override
            public long maxJsonTokens() {
                return Long.MAX_VALUE;
            }

            @Override
            public int largeBodyBytes() {
                return Integer.MAX_VALUE;
            }

            @Override
            public int largeParses() {
                return 1;
            }

            @Override
            public java.time.Duration largeParseWait() {
                return java.time.Duration.ZERO;
            }
        };
    }

    private static int setting(String name) {
        String property = "keepsake.limits." + name.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        String value = System.getProperty(property);
        if (value == null) {
            value = System.getenv(property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        if (value == null) {
            try {
                value = LimitsConfig.class.getMethod(name).getAnnotation(WithDefault.class).value();
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }
        return Integer.parseInt(value.trim());
    }
}
