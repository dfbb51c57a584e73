package io.keepsake.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The API description names every endpoint of the design, with its problem responses. */
@QuarkusTest
class OpenApiTest {

    @TestHTTPResource(value = "/", management = true)
    URI management;

    private static final List<String[]> ENDPOINTS = List.of(
            new String[] {"post", "/persistence/sessions", "201", "400", "413", "415", "422"},
            new String[] {"get", "/persistence/sessions", "200", "400"},
            new String[] {"get", "/persistence/sessions/{id}", "200", "404"},
            new String[] {"get", "/persistence/sessions/metadata/{id}", "200", "404"},
            new String[] {"put", "/persistence/sessions/{id}", "200", "404", "412", "413", "422", "428"},
            new String[] {"patch", "/persistence/sessions/{id}", "200", "404", "412", "422", "428"},
            new String[] {"delete", "/persistence/sessions/{id}", "204", "404", "412", "422"},
            new String[] {"post", "/persistence/snapshots", "201", "400", "413", "429"},
            new String[] {"get", "/persistence/snapshots", "200", "400"},
            new String[] {"get", "/persistence/snapshots/{id}", "200", "404", "429"},
            new String[] {"get", "/persistence/snapshots/metadata/{id}", "200", "404"},
            new String[] {"delete", "/persistence/snapshots/{id}", "204", "404"},
            new String[] {"get", "/persistence/snapshot_access_logs", "200", "400"},
            new String[] {"delete", "/persistence/snapshot_access_logs/{snapshotId}", "204", "404"},
            new String[] {"get", "/persistence/notices", "200", "400"},
            new String[] {"get", "/s/{id}", "303", "404"});

    @Test
    void everyEndpointOfTheDesignIsDescribedWithItsErrorResponses() {
        JsonPath document = JsonPath.from(given().baseUri(management.resolve("/").toString()).accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().asString());
        Map<String, Object> components = document.getMap("components.responses");
        for (String[] endpoint : ENDPOINTS) {
            Map<String, Object> responses = document.getMap("paths.'" + endpoint[1] + "'." + endpoint[0] + ".responses");
            assertNotNull(responses, endpoint[0] + " " + endpoint[1] + " is described");
            for (int i = 2; i < endpoint.length; i++) {
                String code = endpoint[i];
                assertTrue(responses.containsKey(code), endpoint[0] + " " + endpoint[1] + " describes " + code);
                Object response = responses.get(code);
                if (!code.startsWith("2") && !code.startsWith("3")) {
                    String ref = String.valueOf(((Map<?, ?>) response).get("$ref"));
                    String name = ref.substring(ref.lastIndexOf('/') + 1);
                    assertTrue(String.valueOf(components.get(name)).contains("application/problem+json"),
                            code + " of " + endpoint[1] + " is a problem response");
                }
            }
        }
        assertNotNull(document.get("components.securitySchemes.basic"));
        assertNotNull(document.get("components.securitySchemes.bearer"));
        given().baseUri(management.resolve("/").toString()).get("/q/swagger-ui/").then().statusCode(200);
    }
}
