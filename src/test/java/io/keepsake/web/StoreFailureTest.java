package io.keepsake.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestPath;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoCredential;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

/** Every kind of store failure is a 503 with Retry-After, never a 500. */
@QuarkusTest
class StoreFailureTest {

    /** Fails the way the store client does. For this test only. */
    @Path("/test/store-failures")
    @PermitAll
    public static class Failing {

        @GET
        @Path("/{kind}")
        @Operation(hidden = true)
        public Uni<String> fail(@RestPath String kind) {
            RuntimeException failure = switch (kind) {
                case "timeout" -> new MongoTimeoutException("Timed out after 3000 ms while waiting for a server");
                case "closed-client" -> new IllegalStateException("state should be: open");
                case "authentication" -> new MongoSecurityException(
                        MongoCredential.createScramSha256Credential("keepsake", "admin", "rotated".toCharArray()),
                        "Exception authenticating MongoCredential");
                case "command" -> new MongoCommandException(new BsonDocument("ok", new BsonInt32(0))
                        .append("code", new BsonInt32(13)).append("errmsg", new BsonString("not authorized")),
                        new ServerAddress());
                default -> new IllegalArgumentException(kind);
            };
            return Uni.createFrom().failure(failure);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"timeout", "closed-client", "authentication", "command"})
    void aStoreFailureIs503WithRetryAfter(String kind) {
        given().get("/test/store-failures/" + kind).then()
                .statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", "2")
                .body("status", equalTo(503));
    }
}
