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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import com.apicatalog.jcs.JsonCanonicalizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.keepsake.hashing.Canonical;
import io.keepsake.hashing.CanonicalJson;
import jakarta.json.Json;
import jakarta.json.JsonValue;

/**
 * Canonicalise + SHA-256 of 1.5 MiB of workbench JSON: Keepsake's implementation from a parsed
 * tree (what a write does after validation), the same including the parse of the request bytes,
 * and titanium-jcs (JSON-P) for comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CanonicalHashBenchmark {

    static final int CONTENT_BYTES = 1_572_864;

    private final ObjectMapper mapper = new ObjectMapper();
    byte[] body;
    JsonNode tree;
    JsonValue jsonp;

    @Setup
    public void setUp() throws Exception {
        body = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(WorkbenchJson.ofCanonicalSize(CONTENT_BYTES));
        tree = mapper.readTree(body);
        jsonp = Json.createReader(new StringReader(new String(body, StandardCharsets.UTF_8))).readValue();
    }

    @Benchmark
    public Canonical keepsakeFromTree() {
        return CanonicalJson.of(tree, body.length);
    }

    @Benchmark
    public Canonical keepsakeFromBytes() throws Exception {
        return CanonicalJson.of(mapper.readTree(body), body.length);
    }

    @Benchmark
    public String titaniumJcsFromTree() throws Exception {
        byte[] canonical = JsonCanonicalizer.canonize(jsonp).getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    }
}
