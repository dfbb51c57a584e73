package io.keepsake.web;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.keepsake.KeepsakeConfig;
import io.keepsake.content.SentContent;
import io.keepsake.hashing.CanonicalStream;

/**
 * Parses request bodies under Keepsake's own limits: bounded nesting, tokens (what bounds a tree's
 * memory: a body of `[{},{},...]` costs far more heap than its bytes) and string length; duplicate
 * member names refused (they have no canonical form), no source text echoed in error messages.
 * A body becomes a JSON tree, except a write's content, which goes straight to its canonical form.
 */
@ApplicationScoped
public class JsonBodies {

    private static final String CONTENT = "content";

    private final ObjectMapper mapper;
    private final int maxDepth;
    private final long maxTokens;

    @Inject
    public JsonBodies(KeepsakeConfig config) {
        this(config.limits().maxJsonDepth(), config.limits().maxJsonTokens());
    }

    public JsonBodies(int maxDepth) {
        this(maxDepth, 1_000_000);
    }

    /** Strings need no limit of their own: the body limit bounds them. */
    public JsonBodies(int maxDepth, long maxTokens) {
        this.maxDepth = maxDepth;
        this.maxTokens = maxTokens;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxTokenCount(maxTokens)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .build();
        this.mapper = JsonMapper.builder(factory).build();
    }

    /** Parses a body that must be one JSON object; anything else is a 400 problem. */
    public JsonNode object(byte[] body) {
        return parse(body, parser -> {
            JsonNode node = mapper.readTree(parser);
            return node != null && node.isObject() ? node : null;
        });
    }

    /**
     * A body's members with its {@code content} apart: what a write sends, title and description
     * beside content of up to 1.5 MiB.
     *
     * @param fields  every member but content, as a tree (they are small)
     * @param content the content as sent, canonicalised straight from the token stream (a JSON
     *                string kept as its text); null when the body has none
     */
    public record Envelope(ObjectNode fields, SentContent content) {

        /** The names of the members sent, content's too. */
        public Set<String> names() {
            Set<String> names = new TreeSet<>();
            fields.fieldNames().forEachRemaining(names::add);
            if (content != null) {
                names.add(CONTENT);
            }
            return names;
        }
    }

    /**
     * Parses a body that must be one JSON object, as {@link #object} does (with the same limits
     * and problems), without building a tree of its content: its tokens are canonicalised as they
     * are read, in the same pass, so the parse and the canonical form cost one walk of the bytes.
     */
    public Envelope envelope(byte[] body) {
        return parse(body, parser -> {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                if (first != null) {
                    mapper.readTree(parser); // read to its end: what follows it may be malformed
                }
                return null;
            }
            ObjectNode fields = mapper.createObjectNode();
            SentContent content = null;
            for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                JsonToken value = parser.nextToken();
                if (name.equals(CONTENT)) {
                    content = content(parser, value, body);
                } else {
                    fields.set(name, value == JsonToken.VALUE_STRING ? TextNode.valueOf(parser.getText())
                            : mapper.readTree(parser));
                }
            }
            return new Envelope(fields, content);
        });
    }

    private static SentContent content(JsonParser parser, JsonToken value, byte[] body) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return SentContent.text(parser.getText());
        }
        try {
            return SentContent.canonical(CanonicalStream.of(parser, body, body.length));
        } catch (IllegalArgumentException e) {
            return SentContent.withoutCanonicalForm(e.getMessage());
        }
    }

    /** What a body parse reads from its parser: the object, or null when the body is another value. */
    @FunctionalInterface
    private interface BodyReader<T> {
        T read(JsonParser parser) throws IOException;
    }

    /** Reads a body under the limits; one value and nothing after it, which must be an object. */
    private <T> T parse(byte[] body, BodyReader<T> reader) {
        if (body == null || body.length == 0) {
            throw ApiProblem.badRequest("A JSON object body is required");
        }
        T object;
        try (JsonParser parser = mapper.createParser(body)) {
            object = reader.read(parser);
            if (parser.nextToken() != null) {
                throw ApiProblem.badRequest("Malformed JSON: unexpected data after the JSON value");
            }
        } catch (StreamConstraintsException e) {
            String message = String.valueOf(e.getOriginalMessage());
            if (message.contains("Token count")) {
                throw ApiProblem.contentTooLarge("The JSON body has more than " + maxTokens
                        + " tokens (values, names and brackets); the limit is keepsake.limits.max-json-tokens")
                        .with("limit", "keepsake.limits.max-json-tokens").with("maxTokens", maxTokens);
            }
            throw ApiProblem.badRequest(message.contains("nesting depth")
                    ? "JSON nesting deeper than " + maxDepth + " levels is not accepted"
                    : "JSON value exceeds a parser limit: " + firstLine(message));
        } catch (IOException e) {
            throw ApiProblem.badRequest("Malformed JSON: " + firstLine(e.getMessage()));
        }
        if (object == null) {
            throw ApiProblem.badRequest("The body must be a JSON object");
        }
        return object;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable body";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
