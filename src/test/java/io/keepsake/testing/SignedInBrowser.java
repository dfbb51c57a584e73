package io.keepsake.testing;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * A browser signed in with the built-in users' login form: it holds the session cookie and sends
 * nothing else, as the original workbench does through its proxy. Its writes carry what a
 * browser adds to a same-origin {@code fetch}: {@code Origin} and {@code Sec-Fetch-Site}.
 */
public final class SignedInBrowser {

    /** Where the original workbench's proxy sends {@code /api/persistence}. */
    public static final String WORKBENCH = "/webviz/persistence";

    private final String cookie;
    private final String origin;

    private SignedInBrowser(String cookie, String origin) {
        this.cookie = cookie;
        this.origin = origin;
    }

    /** Signs in through {@code POST /j_security_check}, as the login form at {@code /login} does. */
    public static SignedInBrowser signIn(String user, String origin) {
        Response signedIn = given().redirects().follow(false)
                .formParam("j_username", user).formParam("j_password", user + "-secret")
                .post("/j_security_check");
        signedIn.then().statusCode(302);
        String cookie = signedIn.getCookie("quarkus-credential");
        if (cookie == null) {
            throw new IllegalStateException("no session cookie after signing in as " + user);
        }
        return new SignedInBrowser(cookie, origin);
    }

    public String cookie() {
        return cookie;
    }

    /** A read: the cookie only. */
    public RequestSpecification get() {
        return given().cookie("quarkus-credential", cookie).basePath(WORKBENCH);
    }

    /** A write from the workbench's own page. */
    public RequestSpecification write() {
        return given().cookie("quarkus-credential", cookie).basePath(WORKBENCH)
                .header("Origin", origin).header("Sec-Fetch-Site", "same-origin")
                .contentType("application/json");
    }
}
