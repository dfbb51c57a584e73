package io.keepsake.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The API description is a valid OpenAPI 3.1 document, checked against the OpenAPI Initiative's
 * own schemas (src/test/resources/oas/3.1), and it names every endpoint of the design with the
 * problem responses each can give.
 */
@QuarkusTest
class OpenApiTest {

    /** The management interface, which serves the document and Swagger UI (the public port does not). */
    @TestHTTPResource(value = "/", management = true)
    URI management;

    private static final String OAS = "https://spec.openapis.org/oas/3.1/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The document's schema, Schema Objects included; the OAS schemas are read from the class path, never fetched. */
    private static final Schema OPENAPI_31 = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            registry -> registry.schemaIdResolvers(ids -> ids.mappings(id -> id.startsWith(OAS)
                    ? "classpath:oas/3.1/" + id.substring(OAS.length(), id.indexOf('/', OAS.length())) + ".json" : null)))
            .getSchema(SchemaLocation.of(OAS + "schema-base/WORK-IN-PROGRESS"));

    private static final List<String[]> ENDPOINTS = List.of(
            new String[] {"post", "/persistence/sessions", "201", "400", "409", "413", "415", "422", "429"},
            new String[] {"get", "/persistence/sessions", "200", "400"},
            new String[] {"get", "/persistence/sessions/{id}", "200", "304", "404"},
            new String[] {"get", "/persistence/sessions/metadata/{id}", "200", "304", "404"},
            new String[] {"put", "/persistence/sessions/{id}", "200", "404", "409", "412", "413", "422", "428", "429"},
            new String[] {"patch", "/persistence/sessions/{id}", "200", "404", "409", "412", "415", "422", "428", "429"},
            new String[] {"delete", "/persistence/sessions/{id}", "204", "404", "409", "412", "422", "429"},
            new String[] {"post", "/persistence/snapshots", "201", "400", "404", "409", "413", "422", "429"},
            new String[] {"get", "/persistence/snapshots", "200", "400"},
            new String[] {"get", "/persistence/snapshots/{id}", "200", "304", "404", "410", "429"},
            new String[] {"get", "/persistence/snapshots/metadata/{id}", "200", "404", "410"},
            new String[] {"delete", "/persistence/snapshots/{id}", "204", "403", "404"},
            new String[] {"get", "/persistence/snapshot_access_logs", "200", "400"},
            new String[] {"delete", "/persistence/snapshot_access_logs/{snapshotId}", "204", "404"},
            new String[] {"get", "/persistence/notices", "200", "400", "429"},
            new String[] {"post", "/persistence/notices/tickets", "201", "429"},
            new String[] {"get", "/persistence/admin/tasks", "200", "401", "403"},
            new String[] {"post", "/persistence/batch", "200", "400", "409", "413", "415", "422", "429"},
            new String[] {"get", "/s/{id}", "303", "404", "410", "429"});

    @Test
    void theServedDocumentIsValidOpenApi31() {
        JsonNode document = served();
        assertTrue(document.path("openapi").asText().startsWith("3.1."), "an OpenAPI 3.1 document");
        assertEquals(List.of(), violations(document));

        // The validator does see a violation: the OpenID Connect scheme that once lacked its address.
        ObjectNode broken = document.deepCopy();
        broken.withObject("/components/securitySchemes").putObject("oidc").put("type", "openIdConnect");
        assertTrue(violations(broken).stream().anyMatch(v -> v.contains("openIdConnectUrl")), String.valueOf(violations(broken)));
    }

    @Test
    void everyOperationMayFindTheStoreUnavailableAndIdempotentWritesMayFindTheirKeyInFlight() {
        List<String> operations = new ArrayList<>();
        forEachOperation(served(), (name, operation) -> {
            operations.add(name);
            JsonNode responses = operation.path("responses");
            assertTrue(responses.has("503"), name + " describes 503");
            boolean idempotent = false;
            for (JsonNode parameter : operation.path("parameters")) {
                idempotent |= parameter.path("in").asText().equals("header")
                        && parameter.path("name").asText().equalsIgnoreCase(KeepsakeApi.IDEMPOTENCY_KEY);
            }
            if (idempotent) {
                assertTrue(responses.has("409"), name + " describes 409 while its Idempotency-Key is in flight");
                assertTrue(responses.has("422"), name + " describes 422 for a reused Idempotency-Key");
            }
        });
        assertTrue(operations.contains("post /persistence/sessions"), String.valueOf(operations));
        assertTrue(operations.contains("post /webviz/persistence/sessions"), String.valueOf(operations));
        JsonNode paths = served().path("paths");
        for (String path : List.of("/persistence/sessions", "/persistence/snapshots")) {
            assertEquals(ref(KeepsakeApi.IN_FLIGHT), paths.path(path).path("post").path("responses").path("409").path("$ref").asText(),
                    "POST " + path + " describes the 409 of a key in flight");
        }
    }

    @Test
    void theDocumentInTargetOpenapiIsTheOneServed() throws IOException {
        JsonNode served = served();
        assertEquals(served, JSON.readTree(Files.readString(Path.of("target/openapi/openapi.json"))));
        assertEquals(served, new YAMLMapper().readTree(Files.readString(Path.of("target/openapi/openapi.yaml"))));
    }

    @Test
    void everyEndpointOfTheDesignIsDescribedWithItsErrorResponses() {
        JsonNode document = served();
        JsonNode components = document.path("components").path("responses");
        for (String[] endpoint : ENDPOINTS) {
            JsonNode responses = document.path("paths").path(endpoint[1]).path(endpoint[0]).path("responses");
            assertFalse(responses.isMissingNode(), endpoint[0] + " " + endpoint[1] + " is described");
            for (int i = 2; i < endpoint.length; i++) {
                String code = endpoint[i];
                assertTrue(responses.has(code), endpoint[0] + " " + endpoint[1] + " describes " + code);
                if (code.startsWith("4") || code.startsWith("5")) {
                    JsonNode response = responses.get(code);
                    String ref = response.path("$ref").asText();
                    JsonNode described = ref.isEmpty() ? response : components.path(ref.substring(ref.lastIndexOf('/') + 1));
                    assertTrue(described.path("content").has(Problem.MEDIA_TYPE),
                            code + " of " + endpoint[0] + " " + endpoint[1] + " is a problem response");
                }
            }
        }
        // Requests are described with their bodies and examples.
        JsonNode create = document.path("paths").path("/persistence/sessions").path("post").path("requestBody");
        assertEquals("#/components/requestBodies/" + KeepsakeApi.SESSION_BODY, create.path("$ref").asText());
        JsonNode body = document.path("components").path("requestBodies").path(KeepsakeApi.SESSION_BODY);
        assertFalse(body.path("content").path("application/json").path("examples").isEmpty(), "a session body has examples");
        // A batch is described with examples of what it takes and answers.
        JsonNode batch = document.path("paths").path("/persistence/batch").path("post");
        assertFalse(batch.path("requestBody").path("content").path("application/json").path("examples").isEmpty(),
                "a batch has request examples");
        assertFalse(batch.path("responses").path("200").path("content").path("application/json").path("examples").isEmpty(),
                "a batch has answer examples");
        // A snapshot says which session version it froze and when it ends; a create may ask for an end.
        JsonNode snapshot = document.path("components").path("schemas").path("SnapshotMetadata").path("properties");
        assertTrue(snapshot.has("sessionVersion") && snapshot.has("expiresAt"), String.valueOf(snapshot));
        assertEquals("date-time", document.path("components").path("schemas").path(KeepsakeApi.SNAPSHOT_INPUT)
                .path("properties").path("expiresAt").path("format").asText());
        // The original workbench's surface answers in its own shape, not with problems.
        JsonNode workbench = document.path("paths").path("/webviz/persistence/sessions/{id}").path("get").path("responses");
        assertTrue(workbench.path("404").path("content").path("application/json").has("schema"), String.valueOf(workbench));
        assertNotNull(document.get("components").get("securitySchemes").get("basic"));
        assertNotNull(document.get("components").get("securitySchemes").get("bearer"));
        given().baseUri(management.resolve("/").toString()).get("/q/swagger-ui/").then().statusCode(200);
    }

    private JsonNode served() {
        String text = given().baseUri(management.resolve("/").toString()).accept("application/json")
                .get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("The served document is not JSON", e);
        }
    }

    private static List<String> violations(JsonNode document) {
        return OPENAPI_31.validate(document).stream().map(Object::toString).toList();
    }

    private static String ref(String response) {
        return "#/components/responses/" + response;
    }

    private interface OperationCheck {
        void check(String name, JsonNode operation);
    }

    private static void forEachOperation(JsonNode document, OperationCheck check) {
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext();) {
                Map.Entry<String, JsonNode> method = methods.next();
                if (method.getValue().has("responses")) {
                    check.check(method.getKey() + " " + path.getKey(), method.getValue());
                }
            }
        }
    }
}
