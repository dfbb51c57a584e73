package io.keepsake.web;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem details body. {@code type} is left out (it then means "about:blank"):
 * the status and title say what happened; extension members carry machine-readable details.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "RFC 9457 problem details; extension members (field, limit, currentHash, ...) carry the "
        + "details a client acts on", additionalProperties = Schema.True.class)
@JsonPropertyOrder({"title", "status", "detail", "instance"})
@RegisterForReflection
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";

    private final String title;
    private final int status;
    private final String detail;
    private final String instance;
    @Schema(hidden = true)
    private final Map<String, Object> extensions;

    public Problem(String title, int status, String detail, String instance, Map<String, Object> extensions) {
        this.title = title;
        this.status = status;
        this.detail = detail;
        this.instance = instance;
        this.extensions = Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
    }

    public String getTitle() {
        return title;
    }

    public int getStatus() {
        return status;
    }

    public String getDetail() {
        return detail;
    }

    public String getInstance() {
        return instance;
    }

    @JsonAnyGetter
    public Map<String, Object> getExtensions() {
        return extensions;
    }
}
