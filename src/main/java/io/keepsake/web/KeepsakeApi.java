package io.keepsake.web;

import jakarta.ws.rs.core.Application;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The API description's shared parts: the problem responses (with their examples, kept here in
 * one place) that operations refer to by name, and the security schemes.
 */
@OpenAPIDefinition(
        info = @Info(title = "Keepsake", version = "0.1", description = "Session and snapshot persistence for web workbenches"),
        security = {@SecurityRequirement(name = "basic"), @SecurityRequirement(name = "bearer")},
        components = @Components(responses = {
            @APIResponse(name = KeepsakeApi.BAD_REQUEST, responseCode = "400", description = "Malformed or invalid input",
                    content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                            examples = @ExampleObject(name = "field", value = "{\"title\":\"Bad Request\",\"status\":400,"
                                    + "\"detail\":\"title must be 1 to 50 characters after trimming, got 51\","
                                    + "\"instance\":\"/persistence/sessions\",\"field\":\"title\"}"))),
            @APIResponse(name = KeepsakeApi.UNAUTHORIZED, responseCode = "401", description = "Not signed in",
                    content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
            @APIResponse(name = KeepsakeApi.NOT_FOUND, responseCode = "404",
                    description = "No such resource, or another user's",
                    content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                            examples = @ExampleObject(name = "session", value = "{\"title\":\"Not Found\",\"status\":404,"
                                    + "\"detail\":\"Session not found\",\"instance\":\"/persistence/sessions/Xy3_9aB-c0dE\"}"))),
            @APIResponse(name = KeepsakeApi.PRECONDITION_FAILED, responseCode = "412",
                    description = "If-Match names an older version; the body carries the current one",
                    content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                            examples = @ExampleObject(name = "stale", value = "{\"title\":\"Precondition Failed\","
                                    + "\"status\":412,\"detail\":\"The session has changed since the version named in "
                                    + "If-Match\",\"currentHash\":\"41e1f31b…\",\"version\":2,"
                                    + "\"updatedAt\":\"2026-11-23T12:38:56.525Z\",\"etag\":\"\\\"2-9c0d…\\\"\"}"))),
            @APIResponse(name = KeepsakeApi.TOO_LARGE, responseCode = "413", description = "Content over 1.5 MiB",
                    content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                            examples = @ExampleObject(name = "content", value = "{\"title\":\"Content Too Large\","
                                    + "\"status\":413,\"detail\":\"Content size (1.62 MB) exceeds maximum (1.50 MB)\","
                                    + "\"size\":1700000,\"maxSize\":1572864}"))),
            @APIResponse(name = KeepsakeApi.UNSUPPORTED, responseCode = "415", description = "Not JSON",
                    content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
            @APIResponse(name = KeepsakeApi.IDEMPOTENCY, responseCode = "422",
                    description = "The Idempotency-Key was used for a different request",
                    content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
            @APIResponse(name = KeepsakeApi.PRECONDITION_REQUIRED, responseCode = "428", description = "If-Match is required",
                    content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
            @APIResponse(name = KeepsakeApi.TOO_MANY, responseCode = "429", description = "Rate limit exceeded; see Retry-After",
                    content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
            @APIResponse(name = KeepsakeApi.UNAVAILABLE, responseCode = "503",
                    description = "The store is unreachable; see Retry-After",
                    content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))}))
@SecurityScheme(securitySchemeName = "basic", type = SecuritySchemeType.HTTP, scheme = "basic",
        description = "Built-in users of the embedded default")
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
        description = "OIDC access tokens in production")
public class KeepsakeApi extends Application {

    /** Request header naming the client (tab, device) making a change; notices carry it so it can skip its own echo. */
    public static final String CLIENT_ID = "Keepsake-Client-Id";
    /** Makes a retried write safe: the same key and request get the first response. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    public static final String BAD_REQUEST = "BadRequest";
    public static final String UNAUTHORIZED = "Unauthorized";
    public static final String NOT_FOUND = "NotFound";
    public static final String PRECONDITION_FAILED = "PreconditionFailed";
    public static final String TOO_LARGE = "ContentTooLarge";
    public static final String UNSUPPORTED = "UnsupportedMediaType";
    public static final String IDEMPOTENCY = "IdempotencyKeyReused";
    public static final String PRECONDITION_REQUIRED = "PreconditionRequired";
    public static final String TOO_MANY = "TooManyRequests";
    public static final String UNAVAILABLE = "StoreUnavailable";
}
