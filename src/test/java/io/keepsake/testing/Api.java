package io.keepsake.testing;

import static io.restassured.RestAssured.given;

import java.util.ArrayList;
import java.util.List;
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

    /** A request as a built-in user to the original workbench's surface (its front end sends a cookie instead). */
    public static RequestSpecification workbenchAs(String user) {
        return given().auth().preemptive().basic(user, user + "-secret").basePath(SignedInBrowser.WORKBENCH);
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

    /** The user's current notice cursor. */
    public static String noticeCursor(String user) {
        return as(user).get("/notices").then().statusCode(200).extract().path("cursor");
    }

    /**
     * The user's notices after {@code cursor}, long-polled until {@code count} have come (notices are
     * published just after the write that made them is answered) or ten seconds have passed.
     */
    public static List<Map<String, Object>> noticesAfter(String user, String cursor, int count) {
        List<Map<String, Object>> items = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        String at = cursor;
        while (items.size() < count && System.nanoTime() < deadline) {
            Response page = as(user).queryParam("after", at).queryParam("wait", "5").get("/notices");
            page.then().statusCode(200);
            items.addAll(page.path("items"));
            at = page.path("cursor");
        }
        return items;
    }
}
