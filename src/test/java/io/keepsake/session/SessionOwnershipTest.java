package io.keepsake.session;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.BOB;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Sessions are private: another user cannot tell that an id exists. */
@QuarkusTest
class SessionOwnershipTest {

    @Test
    void anotherUsersSessionIs404ForEveryOperation() {
        Response created = createSession(ALICE, "alice only", Map.of("secret", true));
        String id = created.path("id");
        String etag = created.header("ETag");

        as(BOB).get("/sessions/" + id).then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("Session not found"));
        as(BOB).get("/sessions/metadata/" + id).then().statusCode(404);
        as(BOB).header("If-None-Match", etag).get("/sessions/" + id).then().statusCode(404);
        as(BOB).contentType(ContentType.JSON).header("If-Match", etag)
                .body(Map.of("title", "mine now", "content", 1)).put("/sessions/" + id).then().statusCode(404);
        as(BOB).contentType(ContentType.JSON).header("If-Match", "*")
                .body(Map.of("title", "mine now", "content", 1)).put("/sessions/" + id).then().statusCode(404);
        as(BOB).contentType("application/merge-patch+json").header("If-Match", etag)
                .body(Map.of("title", "mine now")).patch("/sessions/" + id).then().statusCode(404);
        as(BOB).delete("/sessions/" + id).then().statusCode(404);
        as(BOB).header("If-Match", etag).delete("/sessions/" + id).then().statusCode(404);
        as(BOB).queryParam("page_size", 100).get("/sessions").then().statusCode(200)
                .body("items.id", not(hasItem(id)));

        as(ALICE).get("/sessions/" + id).then().statusCode(200)
                .header("ETag", etag).body("title", equalTo("alice only")).body("version", equalTo(1));
    }

    @Test
    void sessionsBelongToWhoeverCreatedThem() {
        String id = createSession(BOB, "bob's", 1).path("id");
        as(BOB).get("/sessions/" + id).then().statusCode(200).body("ownerId", equalTo(BOB));
        as(ALICE).get("/sessions/" + id).then().statusCode(404);
    }

    @Test
    void everyEndpointRequiresAuthentication() {
        given().get("/persistence/sessions").then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Basic realm=\"Keepsake\""))
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{}").post("/persistence/sessions").then().statusCode(401);
        given().auth().preemptive().basic(ALICE, "wrong").get("/persistence/sessions").then().statusCode(401);
        given().get("/persistence/sessions/metadata/abcdefghijkl").then().statusCode(401);
    }
}
