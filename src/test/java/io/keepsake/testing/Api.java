package io.keepsake.testing;

import static io.restassured.RestAssured.given;

import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Small helpers for the API tests: a request as one of the built-in users, and a session to start from. */
public final class Api {

    public static final String ALICE = "alice";
    public static final String BOB = "bob";

    private Api() {
    }

    public static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, user + "-secret").basePath("/persistence");
    }

    public static Response createSession(String user, String title, Object content) {
        return as(user).contentType(ContentType.JSON)
                .body(Map.of("title", title, "description", "", "content", content))
                .post("/sessions");
    }

    public static Response createSnapshot(String user, String title, Object content) {
        return as(user).contentType(ContentType.JSON)
                .body(Map.of("title", title, "description", "", "content", content))
                .post("/snapshots");
    }

    /** Creates a snapshot and returns its id. */
    public static String newSnapshot(String user, String title, Object content) {
        Response response = createSnapshot(user, title, content);
        response.then().statusCode(201);
        return response.path("id");
    }

    /** Creates a session and returns its id. */
    public static String newSession(String user, String title, Object content) {
        Response response = createSession(user, title, content);
        response.then().statusCode(201);
        return response.path("id");
    }
}
