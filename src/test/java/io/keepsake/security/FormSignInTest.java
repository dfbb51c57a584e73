package io.keepsake.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.SignedInBrowser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * With the embedded store's built-in users, a browser signs in with the login form at
 * {@code /login} and from then on calls the API with its session cookie alone; a write made with
 * that cookie from another site is refused.
 */
@QuarkusTest
class FormSignInTest {

    private static final String SITE = "http://localhost:3000";

    @Test
    void theLoginPagePostsToQuarkusFormAuthentication() {
        given().get("/login").then().statusCode(200).contentType(containsString("text/html"))
                .header("Cache-Control", equalTo("no-store"))
                .body(containsString("action=\"/j_security_check\""))
                .body(containsString("name=\"j_username\"")).body(containsString("name=\"j_password\""));
        given().redirects().follow(false).formParam("j_username", "carol").formParam("j_password", "wrong")
                .post("/j_security_check").then().statusCode(302).header("Location", containsString("/login?error=true"));
        given().get("/login?error=true").then().body(containsString("Unknown user or wrong password"));
    }

    @Test
    void aSignedInBrowserUsesTheApiWithItsCookieAlone() {
        Response signedIn = given().redirects().follow(false).formParam("j_username", "carol")
                .formParam("j_password", "carol-secret").post("/j_security_check");
        signedIn.then().statusCode(302).header("Location", startsWith("http://localhost"));
        assertTrue(signedIn.getDetailedCookie("quarkus-credential").isHttpOnly());
        String cookie = signedIn.getCookie("quarkus-credential");

        given().cookie("quarkus-credential", cookie).get("/persistence/me").then().statusCode(200)
                .body(equalTo("{\"user\":\"carol\"}"));
        given().cookie("quarkus-credential", cookie).get("/persistence/sessions").then().statusCode(200);
        given().cookie("quarkus-credential", cookie).get("/webviz/persistence/sessions").then().statusCode(200);
        // A page's own fetch: Origin is the page's, or the browser says same-origin.
        given().cookie("quarkus-credential", cookie).header("Origin", SITE).contentType(ContentType.JSON)
                .body(Map.of("title", "from the page", "content", 1)).post("/persistence/sessions").then().statusCode(201);
    }

    @Test
    void notSignedInIs401WithoutAPasswordDialog() {
        given().get("/persistence/me").then().statusCode(401).contentType("application/problem+json");
        given().header("Sec-Fetch-Mode", "cors").get("/persistence/me").then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Session"));
        given().auth().preemptive().basic("carol", "carol-secret").get("/persistence/me").then()
                .body("user", equalTo("carol"));
    }

    @Test
    void aWriteWithTheCookieFromAnotherSiteIsRefused() {
        SignedInBrowser browser = SignedInBrowser.signIn("carol", SITE);
        String body = "{\"title\":\"forged\",\"description\":null,\"content\":\"{}\"}";
        given().cookie("quarkus-credential", browser.cookie()).header("Origin", "https://evil.example")
                .contentType(ContentType.JSON).body(body).post("/webviz/persistence/sessions").then().statusCode(403)
                .body("error.type", equalTo("AuthorizationError"))
                .body("error.message", containsString("Cross-site request refused"));
        given().cookie("quarkus-credential", browser.cookie()).header("Origin", "https://evil.example")
                .header("Sec-Fetch-Site", "cross-site").contentType(ContentType.JSON)
                .body(Map.of("title", "forged", "content", 1)).post("/persistence/sessions").then().statusCode(403)
                .contentType("application/problem+json");
        // Nothing says where it comes from: refused too.
        given().cookie("quarkus-credential", browser.cookie()).contentType(ContentType.JSON).body(body)
                .post("/webviz/persistence/sessions").then().statusCode(403);
        // A Referer from this site stands in for a missing Origin; Sec-Fetch-Site: same-origin suffices.
        given().cookie("quarkus-credential", browser.cookie()).header("Referer", "http://localhost:" + port() + "/app")
                .contentType(ContentType.JSON).body(body).post("/webviz/persistence/sessions").then().statusCode(200);
        browser.write().body(body).post("/sessions").then().statusCode(200);
        // Reads are not refused, and a request with Authorization is not signed in by its cookie.
        given().cookie("quarkus-credential", browser.cookie()).get("/webviz/persistence/sessions").then().statusCode(200);
        given().auth().preemptive().basic("carol", "carol-secret").cookie("quarkus-credential", browser.cookie())
                .contentType(ContentType.JSON).body(body).post("/webviz/persistence/sessions").then().statusCode(200);
    }

    @Test
    void aWriteWithCachedBasicCredentialsFromAnotherSiteIsRefused() {
        SignedInBrowser browser = SignedInBrowser.signIn("carol", SITE);
        Map<String, Object> body = Map.of("title", "forged", "content", 1);
        // A browser that has cached carol's Basic credentials sends them, and her cookie, to a forged request.
        given().auth().preemptive().basic("carol", "carol-secret").cookie("quarkus-credential", browser.cookie())
                .header("Origin", "https://evil.example").header("Sec-Fetch-Site", "cross-site")
                .contentType(ContentType.JSON).body(body).post("/persistence/sessions").then().statusCode(403)
                .body("detail", containsString("Cross-site request refused"));
        given().auth().preemptive().basic("carol", "carol-secret").header("Sec-Fetch-Site", "cross-site")
                .contentType(ContentType.JSON).body(body).post("/persistence/sessions").then().statusCode(403);
        // The same credentials from a script (no Origin, Referer or Sec-Fetch-Site), or from the allowed site: written.
        given().auth().preemptive().basic("carol", "carol-secret").contentType(ContentType.JSON)
                .body(Map.of("title", "from a script", "content", 1)).post("/persistence/sessions").then().statusCode(201);
        given().auth().preemptive().basic("carol", "carol-secret").header("Origin", SITE).contentType(ContentType.JSON)
                .body(Map.of("title", "from the workbench", "content", 1)).post("/persistence/sessions").then().statusCode(201);
    }

    @Test
    void aSignInPostedFromAnotherSiteSignsNobodyIn() {
        for (Map<String, String> from : java.util.List.of(Map.of("Origin", "https://evil.example"),
                Map.of("Sec-Fetch-Site", "cross-site"), Map.of("Referer", "https://evil.example/page"))) {
            Response posted = given().redirects().follow(false).headers(from).formParam("j_username", "carol")
                    .formParam("j_password", "carol-secret").post("/j_security_check");
            posted.then().statusCode(403);
            assertEquals(null, posted.getCookie("quarkus-credential"), "no sign-in cookie for a post from " + from);
        }
        // The login page's own post signs in.
        given().redirects().follow(false).header("Origin", "http://localhost:" + port()).formParam("j_username", "carol")
                .formParam("j_password", "carol-secret").post("/j_security_check").then().statusCode(302)
                .cookie("quarkus-credential");
    }

    @Test
    void signingOutEndsTheCookieEverywhereCopiesIncluded() {
        SignedInBrowser browser = SignedInBrowser.signIn("leaver", SITE);
        String copy = browser.cookie(); // taken by someone else before the sign-out
        given().cookie("quarkus-credential", copy).get("/persistence/me").then().statusCode(200);
        // Signing out is a POST from this site: another site's, or a GET (which any page can cause), signs nobody out.
        given().cookie("quarkus-credential", browser.cookie()).post("/logout").then().statusCode(403);
        given().cookie("quarkus-credential", browser.cookie()).get("/logout").then().statusCode(405);
        given().cookie("quarkus-credential", copy).get("/persistence/me").then().statusCode(200);

        Response out = given().cookie("quarkus-credential", browser.cookie()).header("Sec-Fetch-Site", "same-origin")
                .post("/logout");
        out.then().statusCode(204);
        assertEquals("", out.getCookie("quarkus-credential"));
        assertEquals(0, out.getDetailedCookie("quarkus-credential").getMaxAge());
        // The copy is refused by the service itself, not just forgotten by this browser.
        given().cookie("quarkus-credential", copy).get("/persistence/me").then().statusCode(401);
        given().cookie("quarkus-credential", copy).get("/webviz/persistence/sessions").then().statusCode(401);
        // The user's password still works, and a new sign-in gives a cookie that works.
        given().auth().preemptive().basic("leaver", "leaver-secret").get("/persistence/me").then().statusCode(200);
        SignedInBrowser again = SignedInBrowser.signIn("leaver", SITE);
        given().cookie("quarkus-credential", again.cookie()).get("/persistence/me").then().statusCode(200)
                .body(equalTo("{\"user\":\"leaver\"}"));
        given().cookie("quarkus-credential", copy).get("/persistence/me").then().statusCode(401);

        // The page's sign-out form is a navigation: on to the landing page.
        given().redirects().follow(false).cookie("quarkus-credential", again.cookie()).header("Sec-Fetch-Site", "same-origin")
                .header("Sec-Fetch-Mode", "navigate").post("/logout").then().statusCode(303)
                .header("Location", org.hamcrest.Matchers.endsWith("/"));
        given().cookie("quarkus-credential", again.cookie()).get("/persistence/me").then().statusCode(401);
    }

    private static int port() {
        return io.restassured.RestAssured.port;
    }
}
