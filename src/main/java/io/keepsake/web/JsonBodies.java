package io.keepsake.web;

import java.io.IOException;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.keepsake.KeepsakeConfig;

/**
 * Parses request bodies into JSON trees under Keepsake's own limits: bounded nesting, tokens (what
 * bounds the tree's memory: a body of `[{},{},...]` costs far more heap than its bytes) and string
 * length; duplicate member names refused (they have no canonical form), no source text echoed in
 * error messages.
 */
@ApplicationScoped
public class JsonBodies {

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
        if (body == null || body.length == 0) {
            throw ApiProblem.badRequest("A JSON object body is required");
        }
        JsonNode node;
        try (JsonParser parser = mapper.createParser(body)) {
            node = mapper.readTree(parser);
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
        if (node == null || !node.isObject()) {
            throw ApiProblem.badRequest("The body must be a JSON object");
        }
        return node;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable body";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
