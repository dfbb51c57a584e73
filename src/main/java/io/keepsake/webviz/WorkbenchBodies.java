package io.keepsake.webviz;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.keepsake.KeepsakeConfig;
import io.keepsake.config.LimitsConfig;
import io.keepsake.content.Draft;
import io.keepsake.content.SentContent;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.JsonBodies;

/**
 * The original workbench's request bodies, {@code {title, description, content}} with content a
 * JSON-encoded string, checked by Keepsake's rules ({@link Draft}). Members it does not
 * know are ignored, as the original service ignored them.
 */
@ApplicationScoped
class WorkbenchBodies {

    private final JsonBodies json;
    private final LimitsConfig limits;

    WorkbenchBodies(JsonBodies json, KeepsakeConfig config) {
        this.json = json;
        this.limits = config.limits();
    }

    /**
     * A change of a session: a save when it has content (title and description replaced as sent,
     * a null description meaning none), else a change of title and description alone (null keeps
     * the current one).
     */
    record Change(Draft save, String title, String description) {
    }

    /** A new session or snapshot: title, description (string or null) and content (a string). */
    Draft draft(byte[] body) {
        JsonBodies.Envelope request = json.envelope(body);
        return draft(request.fields(), request.content(), body.length);
    }

    Change change(byte[] body) {
        JsonBodies.Envelope request = json.envelope(body);
        SentContent content = request.content();
        if (content == null || content.isNull()) {
            return new Change(null, text(request.fields(), "title"), text(request.fields(), "description"));
        }
        return new Change(draft(request.fields(), content, body.length), null, null);
    }

    private Draft draft(JsonNode request, SentContent content, int size) {
        if (content == null || content.isNull()) {
            throw ApiProblem.invalidField("content", "content is required: the workbench state, JSON-encoded as a string");
        }
        if (!content.isText()) {
            throw ApiProblem.invalidField("content", "content must be a string: the workbench state, JSON-encoded");
        }
        return Draft.of(text(request, "title"), text(request, "description"), content, size, limits);
    }

    private static String text(JsonNode request, String field) {
        JsonNode node = request.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiProblem.invalidField(field, field + " must be a string");
        }
        return node.textValue();
    }
}
