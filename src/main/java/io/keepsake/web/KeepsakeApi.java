package io.keepsake.web;

import jakarta.ws.rs.core.Application;

import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The API description's shared parts, with their examples kept here in one place: the problem
 * responses that operations refer to by name (those every operation of a kind shares are added by
 * {@link SharedResponses}), the request bodies of the writes and the security schemes (an OIDC
 * provider's, when one is configured, is added by {@link ApiSecurity}).
 */
@OpenAPIDefinition(
        info = @Info(title = "Keepsake", version = "0.1", description = "Session and snapshot persistence for web workbenches"),
        components = @Components(
                schemas = {
                    @Schema(name = KeepsakeApi.JSON_VALUE, description = "Any JSON value: object, array, string, number, "
                            + "boolean or null"),
                    @Schema(name = KeepsakeApi.SESSION_INPUT, type = SchemaType.OBJECT, requiredProperties = {"title", "content"},
                            additionalProperties = Schema.False.class, properties = {
                                @SchemaProperty(name = "title", type = SchemaType.STRING, minLength = 1, maxLength = 50,
                                        description = "1 to 50 characters after trimming"),
                                @SchemaProperty(name = "description", type = SchemaType.STRING, maxLength = 250,
                                        description = "Up to 250 characters"),
                                @SchemaProperty(name = "content", ref = KeepsakeApi.JSON_VALUE,
                                        description = "The workbench state: any JSON value up to 1.5 MiB as canonical JSON")}),
                    @Schema(name = KeepsakeApi.SESSION_PATCH, type = SchemaType.OBJECT, additionalProperties = Schema.False.class,
                            description = "A JSON merge patch (RFC 7396): the members sent replace those stored, "
                                    + "a null description removes it", properties = {
                                @SchemaProperty(name = "title", type = SchemaType.STRING, minLength = 1, maxLength = 50),
                                @SchemaProperty(name = "description", type = SchemaType.STRING, maxLength = 250, nullable = true),
                                @SchemaProperty(name = "content", ref = KeepsakeApi.JSON_VALUE)}),
                    @Schema(name = KeepsakeApi.SNAPSHOT_INPUT, type = SchemaType.OBJECT, additionalProperties = Schema.False.class,
                            description = "Either the state to freeze (title and content required, as for a session), or "
                                    + "sessionId: one of your sessions as it is now, its title and description taken unless sent",
                            properties = {
                                @SchemaProperty(name = "sessionId", type = SchemaType.STRING),
                                @SchemaProperty(name = "sessionEtag", type = SchemaType.STRING, description = "With sessionId: "
                                        + "the session's ETag as a write or read of it answered; the snapshot freezes that "
                                        + "state, or gets 412 (with the session's state) once the session has moved on"),
                                @SchemaProperty(name = "title", type = SchemaType.STRING, minLength = 1, maxLength = 50),
                                @SchemaProperty(name = "description", type = SchemaType.STRING, maxLength = 250),
                                @SchemaProperty(name = "content", ref = KeepsakeApi.JSON_VALUE),
                                @SchemaProperty(name = "expiresAt", type = SchemaType.STRING, format = "date-time",
                                        description = "Its end (RFC 3339), in the future and within keepsake.snapshots."
                                                + "max-lifetime; unset: keepsake.snapshots.default-lifetime from now, if set")})},
                requestBodies = {
                    @RequestBody(name = KeepsakeApi.SESSION_BODY, required = true, description = "A session's title, "
                            + "description and content", content = @Content(mediaType = "application/json",
                                    schema = @Schema(ref = KeepsakeApi.SESSION_INPUT), examples = @ExampleObject(name = "session",
                                            value = "{\"title\":\"Field review\",\"description\":\"Q3\","
                                                    + "\"content\":{\"modules\":[{\"id\":\"m1\",\"zoom\":1.5}]}}"))),
                    @RequestBody(name = KeepsakeApi.PATCH_BODY, required = true, description = "The members to change",
                            content = {
                                @Content(mediaType = "application/merge-patch+json", schema = @Schema(ref = KeepsakeApi.SESSION_PATCH),
                                        examples = @ExampleObject(name = "description", value = "{\"description\":\"Q3, final\"}")),
                                @Content(mediaType = "application/json", schema = @Schema(ref = KeepsakeApi.SESSION_PATCH))}),
                    @RequestBody(name = KeepsakeApi.SNAPSHOT_BODY, required = true, description = "The state to freeze, "
                            + "sent whole or taken from one of your sessions", content = @Content(mediaType = "application/json",
                                    schema = @Schema(ref = KeepsakeApi.SNAPSHOT_INPUT), examples = {
                                        @ExampleObject(name = "body", value = "{\"title\":\"Field review\","
                                                + "\"content\":{\"modules\":[{\"id\":\"m1\",\"zoom\":1.5}]}}"),
                                        @ExampleObject(name = "fromSession", value = "{\"sessionId\":\"Xy3_9aB-c0dE\","
                                                + "\"title\":\"Field review, as sent to Bob\"}")}))},
                responses = {
                    @APIResponse(name = KeepsakeApi.NOT_MODIFIED, responseCode = "304",
                            description = "Not Modified: If-None-Match names the current version"),
                    @APIResponse(name = KeepsakeApi.BAD_REQUEST, responseCode = "400", description = "Malformed or invalid input",
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                    examples = @ExampleObject(name = "field", value = "{\"title\":\"Bad Request\",\"status\":400,"
                                            + "\"detail\":\"title must be 1 to 50 characters after trimming, got 51\","
                                            + "\"instance\":\"/persistence/sessions\",\"field\":\"title\"}"))),
                    @APIResponse(name = KeepsakeApi.UNAUTHORIZED, responseCode = "401", description = "Not signed in",
                            headers = @Header(name = "WWW-Authenticate", description = "How to authenticate",
                                    schema = @Schema(type = SchemaType.STRING)),
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                    examples = @ExampleObject(name = "anonymous", value = "{\"title\":\"Unauthorized\","
                                            + "\"status\":401,\"detail\":\"Authentication is required\","
                                            + "\"instance\":\"/persistence/sessions\"}"))),
                    @APIResponse(name = KeepsakeApi.FORBIDDEN, responseCode = "403", description = "Not allowed for this "
                            + "user, or a change sent with a sign-in cookie from another site",
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                    examples = @ExampleObject(name = "crossSite", value = "{\"title\":\"Forbidden\","
                                            + "\"status\":403,\"detail\":\"" + CrossSiteGuard.REFUSED + "\","
                                            + "\"instance\":\"/persistence/sessions\"}"))),
                    @APIResponse(name = KeepsakeApi.NOT_FOUND, responseCode = "404",
                            description = "No such resource, or another user's",
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                    examples = @ExampleObject(name = "session", value = "{\"title\":\"Not Found\",\"status\":404,"
                                            + "\"detail\":\"Session not found\",\"instance\":\"/persistence/sessions/Xy3_9aB-c0dE\"}"))),
                    @APIResponse(name = KeepsakeApi.GONE, responseCode = "410", description = "The snapshot has expired",
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                    examples = @ExampleObject(name = "expired", value = "{\"title\":\"Gone\",\"status\":410,"
                                            + "\"detail\":\"This snapshot has expired\",\"instance\":\"/persistence/snapshots/Xy3_9aB-c0dE\","
                                            + "\"expiresAt\":\"2026-01-31T12:00:00Z\"}"))),
                    @APIResponse(name = KeepsakeApi.IN_FLIGHT, responseCode = "409",
                            description = "A request with this Idempotency-Key is still being processed; retry once it is answered",
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                    examples = @ExampleObject(name = "busy", value = "{\"title\":\"Conflict\",\"status\":409,"
                                            + "\"detail\":\"Idempotency-Key is busy; retry\",\"instance\":\"/persistence/sessions\"}"))),
                    @APIResponse(name = KeepsakeApi.PRECONDITION_FAILED, responseCode = "412",
                            description = "If-Match names an older version; the body carries the current one",
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                    examples = @ExampleObject(name = "stale", value = "{\"title\":\"Precondition Failed\","
                                            + "\"status\":412,\"detail\":\"The session has changed since the version named in "
                                            + "If-Match\",\"currentHash\":\"41e1f31b…\",\"version\":2,"
                                            + "\"updatedAt\":\"2026-11-23T12:38:56.525Z\",\"etag\":\"\\\"2-9c0d…\\\"\"}"))),
                    @APIResponse(name = KeepsakeApi.TOO_LARGE, responseCode = "413", description = "Content over 1.5 MiB, or "
                            + "a request body over the service's limit",
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                    examples = @ExampleObject(name = "content", value = "{\"title\":\"Content Too Large\","
                                            + "\"status\":413,\"detail\":\"Content size (1.62 MB) exceeds maximum (1.50 MB)\","
                                            + "\"size\":1700000,\"maxSize\":1572864}"))),
                    @APIResponse(name = KeepsakeApi.UNSUPPORTED, responseCode = "415", description = "Not JSON",
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                    examples = @ExampleObject(name = "text", value = "{\"title\":\"Unsupported Media Type\","
                                            + "\"status\":415,\"detail\":\"Unsupported media type: send application/json\","
                                            + "\"instance\":\"/persistence/sessions\"}"))),
                    @APIResponse(name = KeepsakeApi.IDEMPOTENCY, responseCode = "422",
                            description = "The Idempotency-Key was used for a different request",
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                    @APIResponse(name = KeepsakeApi.PRECONDITION_REQUIRED, responseCode = "428", description = "If-Match is required",
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                    @APIResponse(name = KeepsakeApi.TOO_MANY, responseCode = "429", description = "A limit was exceeded; "
                            + "the problem names it",
                            headers = @Header(name = "Retry-After", description = "Seconds to wait",
                                    schema = @Schema(type = SchemaType.INTEGER)),
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                    examples = @ExampleObject(name = "rate", value = "{\"title\":\"Too Many Requests\","
                                            + "\"status\":429,\"detail\":\"Rate limit of 20 per second exceeded "
                                            + "(keepsake.rate-limits.session-writes-per-second); retry later\","
                                            + "\"instance\":\"/persistence/sessions\","
                                            + "\"limit\":\"keepsake.rate-limits.session-writes-per-second\"}"))),
                    @APIResponse(name = KeepsakeApi.UNAVAILABLE, responseCode = "503",
                            description = "The store is unreachable, too many large bodies are being read, or the service "
                                    + "is shutting down: retry later (after Retry-After, when sent)",
                            headers = @Header(name = "Retry-After", description = "Seconds to wait",
                                    schema = @Schema(type = SchemaType.INTEGER)),
                            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                    examples = @ExampleObject(name = "store", value = "{\"title\":\"Service Unavailable\","
                                            + "\"status\":503,\"detail\":\"The store is unavailable; retry later\","
                                            + "\"instance\":\"/persistence/sessions\"}")))}))
@SecurityScheme(securitySchemeName = "basic", type = SecuritySchemeType.HTTP, scheme = "basic",
        description = "Built-in users (the laptop profile and tests only)")
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
        description = "OIDC access tokens in production")
public class KeepsakeApi extends Application {

    /** Request header naming the client (tab, device) making a change; notices carry it so it can skip its own echo. */
    public static final String CLIENT_ID = "Keepsake-Client-Id";
    /** Makes a retried write safe: the same key and request get the first response. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    public static final String JSON_VALUE = "JsonValue";
    static final String SESSION_INPUT = "SessionInput";
    static final String SESSION_PATCH = "SessionPatch";
    static final String SNAPSHOT_INPUT = "SnapshotInput";

    public static final String SESSION_BODY = "SessionBody";
    public static final String PATCH_BODY = "SessionPatchBody";
    public static final String SNAPSHOT_BODY = "SnapshotBody";

    public static final String NOT_MODIFIED = "NotModified";
    public static final String BAD_REQUEST = "BadRequest";
    public static final String UNAUTHORIZED = "Unauthorized";
    public static final String FORBIDDEN = "Forbidden";
    public static final String NOT_FOUND = "NotFound";
    public static final String GONE = "Gone";
    public static final String IN_FLIGHT = "IdempotencyKeyInFlight";
    public static final String PRECONDITION_FAILED = "PreconditionFailed";
    public static final String TOO_LARGE = "ContentTooLarge";
    public static final String UNSUPPORTED = "UnsupportedMediaType";
    public static final String IDEMPOTENCY = "IdempotencyKeyReused";
    public static final String PRECONDITION_REQUIRED = "PreconditionRequired";
    public static final String TOO_MANY = "TooManyRequests";
    public static final String UNAVAILABLE = "StoreUnavailable";
}
