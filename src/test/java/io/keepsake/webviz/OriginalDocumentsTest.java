package io.keepsake.webviz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Date;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.keepsake.hashing.CanonicalJson;
import io.keepsake.web.EntityTags;

/** The original's Cosmos DB documents as Keepsake documents, and the reasons some are not. */
class OriginalDocumentsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final OriginalDocuments documents = new OriginalDocuments(Importer.limits());

    private static JsonNode doc(String json) throws Exception {
        return JSON.readTree(json.replace('\'', '"'));
    }

    private static String sha256(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return CanonicalJson.sha256Hex(bytes, bytes.length);
    }

    @Test
    void aSessionKeepsItsIdOwnerTimesAndVersionAndGetsEveryFieldKeepsakeReads() throws Exception {
        OriginalDocuments.Converted converted = documents.convert(JSON.readTree("""
                {"id":"Ab3dE_9z","owner_id":"carol","metadata":{"title":" Review ","description":null,
                 "created_at":"2025-06-02T08:15:30.123456+00:00","updated_at":"2025-06-03T17:01:02.654321",
                 "content_hash":"x","version":7},"content":"{\\"a\\":1}","_ts":1}
                """));
        Document session = converted.document();
        assertEquals(OriginalDocuments.Kind.SESSION, converted.kind());
        assertEquals("Ab3dE_9z", session.get("_id"));
        assertEquals("carol", session.get("ownerId"));
        assertEquals("Review", session.get("title"));
        assertEquals("review", session.get("titleKey"));
        assertEquals("", session.get("description"));
        assertEquals("\"{\\\"a\\\":1}\"", new String(session.get("canonical", org.bson.types.Binary.class).getData(),
                StandardCharsets.UTF_8), "the canonical JSON of the original's string, as Keepsake stores content");
        assertEquals(sha256("{\"a\":1}"), session.get("textHash"));
        assertEquals(7L, session.get("version"));
        assertEquals(EntityTags.of(7, session.getString("contentHash"), session.getString("metadataHash")), session.get("etag"));
        assertEquals(Date.from(java.time.Instant.parse("2025-06-02T08:15:30.123Z")), session.get("createdAt"));
        assertEquals(Date.from(java.time.Instant.parse("2025-06-03T17:01:02.654Z")), session.get("updatedAt"));
        assertEquals(false, session.get("deleted"));
        assertEquals("its content hash differs from the original's; Keepsake's is kept", converted.note());
    }

    @Test
    void anAccessLogKeepsItsCountsAndTheLastVisitStandsInForAnUnrecordedFirst() throws Exception {
        OriginalDocuments.Converted converted = documents.convert(doc("{'id':'Snap_8ch__dave','visitor_id':'dave',"
                + "'snapshot_id':'Snap_8ch','snapshot_owner_id':'carol','visits':3,'first_visited_at':null,"
                + "'last_visited_at':'2025-06-06T12:00:00+00:00','snapshot_deleted':true,'snapshot_deleted_at':null,"
                + "'snapshot_metadata':{'title':'Shared','description':null,'created_at':'2025-06-04T09:00:00+00:00',"
                + "'content_hash':'abc'}}"));
        Document log = converted.document();
        assertEquals("dave:Snap_8ch", log.get("_id"));
        assertEquals(3L, log.get("visits"));
        assertEquals(log.get("lastVisitedAt"), log.get("firstVisitedAt"));
        assertEquals(log.get("lastVisitedAt"), log.get("lastCountedAt"));
        assertEquals(true, log.get("snapshotDeleted"));
        assertEquals(log.get("lastVisitedAt"), log.get("snapshotDeletedAt"));
        assertEquals("abc", log.get("snapshotTextHash"));
        assertEquals("shared", log.get("snapshotTitleKey"));
        assertEquals("first visit unknown; the last visit stands in for it", converted.note());
    }

    @Test
    void whatCannotBeAKeepsakeDocumentIsRefusedWithItsReason() {
        assertEquals("id 'short' is not 8 or 12 characters of A-Z, a-z, 0-9, '_' or '-'", refused(
                "{'id':'short','owner_id':'o','metadata':{'title':'t','created_at':'2025-01-01T00:00:00','updated_at':"
                        + "'2025-01-01T00:00:00','version':1},'content':'x'}"));
        assertEquals("content must be a string", refused(
                "{'id':'Snap_8ch','owner_id':'o','metadata':{'title':'t','created_at':'2025-01-01T00:00:00'}}"));
        assertEquals("created_at 'last week' is not an ISO-8601 time", refused(
                "{'id':'Snap_8ch','owner_id':'o','metadata':{'title':'t','created_at':'last week'},'content':'x'}"));
        assertEquals("not a session, snapshot or snapshot access log document", refused("{'hello':'world'}"));
        assertNull(OriginalDocuments.kindOf(JSON.createObjectNode()));
    }

    private String refused(String json) {
        return assertThrows(OriginalDocuments.Refused.class, () -> documents.convert(doc(json))).getMessage();
    }
}
