package io.keepsake.session;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import org.bson.Document;
import org.bson.types.Binary;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

import io.keepsake.content.Draft;
import io.keepsake.hashing.CanonicalJson;
import io.keepsake.testing.EmbeddedStoreResource;
import io.keepsake.web.EntityTags;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Content is stored as the canonical JSON's UTF-8 bytes and written out as they are; sessions
 * stored by earlier versions, with the canonical text as a string, are read and changed as well.
 */
@QuarkusTest
class StoredFormatTest {

    @Test
    void aSessionStoredAsTextIsReadPatchedAndSnapshottedAndThenStoredAsBytes() throws Exception {
        String canonical = new String(CanonicalJson.of(new ObjectMapper().readTree("{\"zoom\":1.5,\"name\":\"été\"}")).exact(),
                StandardCharsets.UTF_8);
        String contentHash = CanonicalJson.sha256Hex(canonical.getBytes(StandardCharsets.UTF_8), canonical.getBytes(StandardCharsets.UTF_8).length);
        String metadataHash = Draft.metadataHash("older", "");
        String id = "LegacyText01";
        try (MongoClient client = MongoClients.create(EmbeddedStoreResource.connectionString())) {
            MongoCollection<Document> sessions = client.getDatabase("keepsake").getCollection("sessions");
            Date now = Date.from(Instant.now());
            sessions.insertOne(new Document("_id", id).append("ownerId", ALICE).append("title", "older")
                    .append("titleKey", "older").append("description", "").append("content", canonical)
                    .append("contentSize", canonical.getBytes(StandardCharsets.UTF_8).length)
                    .append("contentHash", contentHash).append("metadataHash", metadataHash).append("version", 1L)
                    .append("etag", EntityTags.of(1, contentHash, metadataHash)).append("createdAt", now)
                    .append("updatedAt", now));

            as(ALICE).get("/sessions/" + id).then().statusCode(200)
                    .body("content.name", equalTo("été")).body("content.zoom", equalTo(1.5f))
                    .body("contentHash", equalTo(contentHash));
            String snapshot = as(ALICE).contentType(ContentType.JSON).body(Map.of("sessionId", id))
                    .post("/snapshots").then().statusCode(201).extract().path("id");
            as(ALICE).get("/snapshots/" + snapshot).then().statusCode(200)
                    .body("contentHash", equalTo(contentHash)).body("content.name", equalTo("été"));

            String etag = as(ALICE).get("/sessions/metadata/" + id).header("ETag");
            as(ALICE).contentType("application/merge-patch+json").header("If-Match", etag)
                    .body("{\"content\":{\"zoom\":2}}").patch("/sessions/" + id).then().statusCode(200);
            as(ALICE).get("/sessions/" + id).then().statusCode(200)
                    .body("content.zoom", equalTo(2)).body("content.name", equalTo("été"));

            Document stored = sessions.find(Filters.eq("_id", id)).first();
            assertFalse(stored.containsKey("content"), "the text form is gone once the session is written");
            assertTrue(stored.get("canonical") instanceof Binary, "content is stored as bytes");
            assertEquals("{\"name\":\"été\",\"zoom\":2}",
                    new String(((Binary) stored.get("canonical")).getData(), StandardCharsets.UTF_8));
        }
    }
}
