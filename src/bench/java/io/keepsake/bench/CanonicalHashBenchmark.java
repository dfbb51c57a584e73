package io.keepsake.bench;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import com.apicatalog.jcs.JsonCanonicalizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.keepsake.hashing.Canonical;
import io.keepsake.hashing.CanonicalJson;
import io.keepsake.web.JsonBodies;
import jakarta.json.Json;
import jakarta.json.JsonValue;

/**
 * Canonicalise + SHA-256 of 1.5 MiB of workbench JSON: Keepsake's implementation from a parsed
 * tree, the same including the service's parse of the request bytes into a tree, the same
 * streamed from a write's request bytes without a tree (what a write does), and titanium-jcs
 * (JSON-P) for comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CanonicalHashBenchmark {

    static final int CONTENT_BYTES = 1_572_864;

    /** Which shape of content: see {@link WorkbenchJson}. */
    @Param({"typical", "numeric"})
    String mix;

    private final ObjectMapper mapper = new ObjectMapper();
    /** The request-body parser the service uses. */
    private final JsonBodies requestParser = new JsonBodies(200);
    byte[] body;
    /** A write's body: the content with a title beside it. */
    byte[] writeBody;
    JsonNode tree;
    JsonValue jsonp;

    @Setup
    public void setUp() throws Exception {
        body = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(WorkbenchJson.ofCanonicalSize(mix, CONTENT_BYTES));
        writeBody = mapper.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(mapper.createObjectNode().put("title", "Bench").set("content", mapper.readTree(body)));
        tree = mapper.readTree(body);
        jsonp = Json.createReader(new StringReader(new String(body, StandardCharsets.UTF_8))).readValue();
    }

    @Benchmark
    public Canonical keepsakeFromTree() {
        return CanonicalJson.of(tree, body.length);
    }

    @Benchmark
    public Canonical keepsakeFromBytes() {
        return CanonicalJson.of(requestParser.object(body), body.length);
    }

    @Benchmark
    public Canonical keepsakeStreamedFromBytes() {
        return requestParser.envelope(writeBody).content().canonical();
    }

    @Benchmark
    public String titaniumJcsFromTree() throws Exception {
        byte[] canonical = JsonCanonicalizer.canonize(jsonp).getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    }
}
