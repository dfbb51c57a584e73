package io.keepsake.web;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * The responses that every operation of a kind can get, described here once rather than on each
 * resource method: 503 on all of them; 401 where a sign-in is needed and 403 where a role is; 403
 * on every change too (the cross-site guard); 400, 413 and 415 where a body is read; 409 and 422
 * where an Idempotency-Key is honoured. Operations name the rest themselves (404, 412, 429, ...).
 * Runs once the security requirements are known, which are added after the annotations are read.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP, priority = SharedResponses.PRIORITY)
public class SharedResponses implements OASFilter {

    /** Before the filters that reword these responses for another surface's paths. */
    public static final int PRIORITY = 100;

    private static final Set<PathItem.HttpMethod> CHANGES = EnumSet.of(PathItem.HttpMethod.POST,
            PathItem.HttpMethod.PUT, PathItem.HttpMethod.PATCH, PathItem.HttpMethod.DELETE);

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getPaths() != null && api.getPaths().getPathItems() != null) {
            api.getPaths().getPathItems().values().forEach(item -> item.getOperations().forEach(SharedResponses::complete));
        }
    }

    private static void complete(PathItem.HttpMethod method, Operation operation) {
        APIResponses responses = operation.getResponses();
        // Quarkus' own 400, 401 and 403 say neither what the body is nor when: ours replace them.
        dropBare(responses, "400");
        dropBare(responses, "401");
        dropBare(responses, "403");
        if (operation.getSecurity() != null && !operation.getSecurity().isEmpty()) {
            add(responses, "401", KeepsakeApi.UNAUTHORIZED);
            if (needsRole(operation)) {
                add(responses, "403", KeepsakeApi.FORBIDDEN);
            }
        }
        if (CHANGES.contains(method)) {
            add(responses, "403", KeepsakeApi.FORBIDDEN);
        }
        if (operation.getRequestBody() != null) {
            add(responses, "400", KeepsakeApi.BAD_REQUEST);
            add(responses, "413", KeepsakeApi.TOO_LARGE);
            add(responses, "415", KeepsakeApi.UNSUPPORTED);
        }
        if (hasHeader(operation, KeepsakeApi.IDEMPOTENCY_KEY)) {
            add(responses, "409", KeepsakeApi.IN_FLIGHT);
            add(responses, "422", KeepsakeApi.IDEMPOTENCY);
        }
        add(responses, "503", KeepsakeApi.UNAVAILABLE);
        // In the order of their codes, for readers.
        Map<String, APIResponse> sorted = new LinkedHashMap<>(new TreeMap<>(responses.getAPIResponses()));
        responses.setAPIResponses(sorted);
    }

    private static void dropBare(APIResponses responses, String code) {
        APIResponse response = responses.getAPIResponse(code);
        if (response != null && response.getRef() == null && response.getContent() == null) {
            responses.removeAPIResponse(code);
        }
    }

    private static void add(APIResponses responses, String code, String name) {
        if (!responses.hasAPIResponse(code)) {
            responses.addAPIResponse(code, OASFactory.createAPIResponse().ref(name));
        }
    }

    private static boolean needsRole(Operation operation) {
        return operation.getSecurity().stream().map(SecurityRequirement::getSchemes).filter(Objects::nonNull)
                .flatMap(schemes -> schemes.values().stream()).anyMatch(roles -> roles != null && !roles.isEmpty());
    }

    private static boolean hasHeader(Operation operation, String name) {
        return operation.getParameters() != null && operation.getParameters().stream()
                .anyMatch(p -> p.getIn() == Parameter.In.HEADER && name.equalsIgnoreCase(p.getName()));
    }
}
