package io.keepsake.webviz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

import io.keepsake.web.SharedResponses;
import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * The original workbench's surface answers failures in its own shape (see {@link WorkbenchErrors}),
 * not as problems: the error responses of its operations, shared ones included, are described so.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP, priority = SharedResponses.PRIORITY - 1)
public class WorkbenchResponses implements OASFilter {

    static final String ERROR = "WorkbenchError";

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
            return;
        }
        Map<String, APIResponse> shared = api.getComponents().getResponses() != null
                ? api.getComponents().getResponses() : Map.of();
        api.getComponents().addSchema(ERROR, errorSchema());
        for (Map.Entry<String, PathItem> path : api.getPaths().getPathItems().entrySet()) {
            if (path.getKey().startsWith(WorkbenchApi.ROOT + "/")) {
                path.getValue().getOperations().values().forEach(operation -> {
                    Map<String, APIResponse> responses = operation.getResponses().getAPIResponses();
                    for (Map.Entry<String, APIResponse> entry : new ArrayList<>(responses.entrySet())) {
                        if (entry.getKey().matches("[45]\\d\\d")) {
                            operation.getResponses().addAPIResponse(entry.getKey(),
                                    inOwnShape(Integer.parseInt(entry.getKey()), resolve(entry.getValue(), shared)));
                        }
                    }
                });
            }
        }
    }

    private static APIResponse resolve(APIResponse response, Map<String, APIResponse> shared) {
        String ref = response.getRef();
        return ref == null ? response : shared.getOrDefault(ref.substring(ref.lastIndexOf('/') + 1), response);
    }

    private static APIResponse inOwnShape(int status, APIResponse response) {
        WorkbenchViews.ErrorBody.Error error = WorkbenchErrors.bodyOf(status, response.getDescription()).error();
        Map<String, Object> example = new LinkedHashMap<>();
        example.put("type", error.type());
        example.put("message", error.message());
        example.put("service", error.service());
        return OASFactory.createAPIResponse().description(response.getDescription()).headers(response.getHeaders())
                .content(OASFactory.createContent().addMediaType("application/json", OASFactory.createMediaType()
                        .schema(OASFactory.createSchema().ref(ERROR)).example(Map.of("error", example))));
    }

    private static Schema errorSchema() {
        Schema text = OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT).required(List.of("error"))
                .description("The original workbench's error body; its front end shows the message")
                .addProperty("error", OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                        .required(List.of("type", "message", "service"))
                        .addProperty("type", text).addProperty("message", text).addProperty("service", text));
    }
}
