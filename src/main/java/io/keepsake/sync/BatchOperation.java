package io.keepsake.sync;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.keepsake.web.ApiProblem;

/**
 * One operation of a batch as it was sent: what a single request would be, limited to the writes a
 * batch may hold. Its target and If-Match may still be references ({@code $n}), resolved when it runs.
 *
 * @param number    its place in the batch, from 1
 * @param kind      which write it is; null when it is malformed
 * @param path      the path as sent (for problems' {@code instance})
 * @param target    the session id or state key in its path; null for a create
 * @param body      its body; null when it sent none
 * @param malformed why it cannot run; null when it can
 */
record BatchOperation(int number, Kind kind, String path, String target, String ifMatch, String ifNoneMatch,
        String idempotencyKey, JsonNode body, ApiProblem malformed) {

    /** The writes a batch may hold. */
    enum Kind {
        SESSION_CREATE, SESSION_REPLACE, SESSION_PATCH, SESSION_DELETE, STATE_PUT, STATE_PATCH, STATE_DELETE, SNAPSHOT_CREATE;

        /** Whether it is a session write (a keyed state's included), counted against the per-user write rate. */
        boolean writesSession() {
            return this != SNAPSHOT_CREATE;
        }
    }

    private static final Set<String> MEMBERS = Set.of("method", "path", "headers", "body");
    private static final String PREFIX = "/persistence";

    /** The operation in {@code node}, or a malformed one that answers 400 with why. */
    static BatchOperation parse(int number, JsonNode node) {
        try {
            return of(number, node);
        } catch (ApiProblem problem) {
            String path = node != null && node.path("path").isTextual() ? node.path("path").asText() : null;
            return new BatchOperation(number, null, path, null, null, null, null, null, problem);
        }
    }

    private static BatchOperation of(int number, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw ApiProblem.badRequest("Operation " + number + " is not a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!MEMBERS.contains(name)) {
                throw ApiProblem.invalidField(name, "Operation " + number + " has an unknown member " + name
                        + " (an operation has method, path, headers and body)");
            }
        }
        String method = text(node, "method", number).toUpperCase(Locale.ROOT);
        String path = text(node, "path", number);
        String[] segments = (path.startsWith(PREFIX + "/") ? path.substring(PREFIX.length()) : path).split("/", -1);
        // "/sessions" splits into "", "sessions"; "/sessions/x" into "", "sessions", "x".
        if (!segments[0].isEmpty() || segments.length > 3 || (segments.length == 3 && segments[2].isEmpty())) {
            throw unsupported(number, method, path);
        }
        String collection = segments[1];
        String target = segments.length == 3 ? segments[2] : null;
        Kind kind = kind(method, collection, target != null);
        if (kind == null) {
            throw unsupported(number, method, path);
        }
        String ifMatch = null;
        String ifNoneMatch = null;
        String idempotencyKey = null;
        JsonNode headers = node.path("headers");
        if (!headers.isMissingNode() && !headers.isNull()) {
            if (!headers.isObject()) {
                throw ApiProblem.invalidField("headers", "Operation " + number + "'s headers must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = headers.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> header = fields.next();
                if (!header.getValue().isTextual()) {
                    throw ApiProblem.invalidField(header.getKey(), "Operation " + number + "'s header " + header.getKey()
                            + " must be a string");
                }
                String value = header.getValue().asText();
                switch (header.getKey().toLowerCase(Locale.ROOT)) {
                    case "if-match" -> ifMatch = value;
                    case "if-none-match" -> ifNoneMatch = value;
                    case "idempotency-key" -> idempotencyKey = value;
                    case "content-type" -> { } // JSON either way
                    default -> throw ApiProblem.invalidField(header.getKey(), "Operation " + number + " sends the header "
                            + header.getKey() + "; an operation's headers are If-Match, If-None-Match and Idempotency-Key");
                }
            }
        }
        JsonNode body = node.get("body");
        return new BatchOperation(number, kind, path, target, ifMatch, ifNoneMatch, idempotencyKey,
                body == null || body.isNull() ? null : body, null);
    }

    private static Kind kind(String method, String collection, boolean targeted) {
        return switch (collection + (targeted ? "/{}" : "") + " " + method) {
            case "sessions POST" -> Kind.SESSION_CREATE;
            case "sessions/{} PUT" -> Kind.SESSION_REPLACE;
            case "sessions/{} PATCH" -> Kind.SESSION_PATCH;
            case "sessions/{} DELETE" -> Kind.SESSION_DELETE;
            case "states/{} PUT" -> Kind.STATE_PUT;
            case "states/{} PATCH" -> Kind.STATE_PATCH;
            case "states/{} DELETE" -> Kind.STATE_DELETE;
            case "snapshots POST" -> Kind.SNAPSHOT_CREATE;
            default -> null;
        };
    }

    private static String text(JsonNode node, String member, int number) {
        JsonNode value = node.get(member);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw ApiProblem.invalidField(member, "Operation " + number + " needs a " + member + " (a string)");
        }
        return value.asText();
    }

    private static ApiProblem unsupported(int number, String method, String path) {
        return ApiProblem.badRequest("Operation " + number + " (" + method + " " + path + ") is not one a batch may hold: "
                + "POST /sessions, PUT, PATCH or DELETE /sessions/{id} or /states/{key}, POST /snapshots")
                .with("field", "path");
    }
}
