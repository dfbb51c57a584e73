package io.keepsake.web;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The opaque keyset cursor of a list page: the sort it belongs to and the sort value and id of
 * the last item served. The next page starts strictly after that (value, id) pair, so inserts
 * and deletes between calls neither repeat nor skip items.
 */
public record PageToken(String sortBy, boolean ascending, Object value, String id) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    public String encode() {
        ObjectNode node = JSON.createObjectNode()
                .put("s", sortBy)
                .put("a", ascending)
                .put("i", id);
        if (value instanceof Instant instant) {
            node.put("t", instant.toEpochMilli());
        } else if (value instanceof Number number) {
            node.put("n", number.longValue());
        } else {
            node.put("v", String.valueOf(value));
        }
        return ENCODER.encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static PageToken decode(String cursor) {
        try {
            JsonNode node = JSON.readTree(Base64.getUrlDecoder().decode(cursor));
            Object value;
            if (node.has("t")) {
                value = Instant.ofEpochMilli(node.get("t").longValue());
            } else if (node.has("n")) {
                value = node.get("n").longValue();
            } else {
                value = node.get("v").textValue();
            }
            String sortBy = node.get("s").textValue();
            String id = node.get("i").textValue();
            if (sortBy == null || id == null || value == null) {
                throw new IllegalArgumentException("incomplete cursor");
            }
            return new PageToken(sortBy, node.get("a").booleanValue(), value, id);
        } catch (Exception e) {
            throw ApiProblem.invalidField("cursor", "Invalid cursor: pass the pageToken of a previous page unchanged");
        }
    }
}
