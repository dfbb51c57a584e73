package io.keepsake.webviz;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.noticeCursor;
import static io.keepsake.testing.Api.noticesAfter;
import static io.keepsake.webviz.WorkbenchSessionContractTest.body;
import static io.keepsake.webviz.WorkbenchSessionContractTest.sha256;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.keepsake.testing.SignedInBrowser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The original workbench's snapshot and visit-log calls, as its front end makes them, against
 * the compatible surface: creating counts as the creator's visit at once, opening counts a visit,
 * its visit list reads with its sort names and filters, and each change shows natively and as a
 * notice.
 */
@QuarkusTest
class WorkbenchSnapshotContractTest {

    private static final String OWNER = "erin";
    private static final String VISITOR = "dave";
    private static final Set<String> METADATA = Set.of("id", "ownerId", "title", "description", "createdAt", "contentHash");
    private static final Set<String> LOG = Set.of("visitorId", "snapshotId", "visits", "firstVisitedAt", "lastVisitedAt",
            "snapshotDeleted", "snapshotMetadata");

    private static SignedInBrowser owner;
    private static SignedInBrowser visitor;

    @BeforeEach
    void signIn() {
        if (owner == null) {
            owner = SignedInBrowser.signIn(OWNER, "http://localhost:3000");
            visitor = SignedInBrowser.signIn(VISITOR, "http://localhost:3000");
        }
    }

    private static String create(SignedInBrowser browser, String title, String content) {
        Response created = browser.write().body(body(title, null, content)).post("/snapshots");
        created.then().statusCode(200);
        String raw = created.asString();
        assertTrue(raw.matches("\"[A-Za-z0-9_-]{12}\""), raw);
        return raw.substring(1, raw.length() - 1);
    }

    /** The recent-snapshots call of the workbench's start page, and its dialog's, with their parameters. */
    private static RequestSpecification visits(SignedInBrowser browser, String sortBy, String direction, int pageSize) {
        return browser.get().queryParam("sort_by", sortBy).queryParam("sort_direction", direction)
                .queryParam("page_size", pageSize).queryParam("cursor", "");
    }

    @Test
    void createOpenListAndDeleteAsTheWorkbenchDoes() {
        String title = "Shared view " + UUID.randomUUID().toString().substring(0, 8);
        String content = "{\"dashboards\":[{\"layout\":[{\"moduleInstanceId\":\"m1\"}]}],\"zoom\":1.5}";
        String ownerFrom = noticeCursor(OWNER);

        // create: 200, the id; the creator's visit list shows it at once
        String id = create(owner, title, content);
        Response mine = visits(owner, "last_visited_at", "desc", 5).get("/snapshot_access_logs");
        mine.then().statusCode(200).body("keySet()", equalTo(Set.of("items", "pageToken")))
                .body("items[0].keySet()", equalTo(LOG))
                .body("items[0].snapshotId", equalTo(id))
                .body("items[0].visitorId", equalTo(OWNER))
                .body("items[0].visits", equalTo(1))
                .body("items[0].snapshotDeleted", equalTo(false))
                .body("items[0].snapshotMetadata.keySet()", equalTo(METADATA))
                .body("items[0].snapshotMetadata.id", equalTo(id))
                .body("items[0].snapshotMetadata.ownerId", equalTo(OWNER))
                .body("items[0].snapshotMetadata.title", equalTo(title))
                .body("items[0].snapshotMetadata.contentHash", equalTo(sha256(content)));
        String createdAt = mine.path("items[0].snapshotMetadata.createdAt");
        assertEquals(createdAt, mine.path("items[0].firstVisitedAt"));

        // open (another user): {metadata, content}, and it counts a visit
        visitor.get().get("/snapshots/" + id).then().statusCode(200)
                .body("keySet()", equalTo(Set.of("metadata", "content")))
                .body("metadata.keySet()", equalTo(METADATA))
                .body("metadata.id", equalTo(id))
                .body("metadata.ownerId", equalTo(OWNER))
                .body("metadata.title", equalTo(title))
                .body("metadata.description", equalTo(""))
                .body("metadata.createdAt", equalTo(createdAt))
                .body("metadata.contentHash", equalTo(sha256(content)))
                .body("content", equalTo(content));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> visits(visitor, "snapshot_metadata.created_at", "desc", 30)
                .queryParam("filter_title", title).get("/snapshot_access_logs").then()
                .body("items.snapshotId", equalTo(List.of(id))).body("items[0].visits", equalTo(1))
                .body("items[0].visitorId", equalTo(VISITOR)));

        // natively: the same snapshot, its creation a notice for its owner
        as(VISITOR).get("/snapshots/metadata/" + id).then().statusCode(200).body("title", equalTo(title));

        // "mine only" and title sorting
        visits(visitor, "snapshot_metadata.title", "asc", 30).queryParam("filter_title", title)
                .queryParam("filter_owner_id", VISITOR).get("/snapshot_access_logs").then().body("items.size()", equalTo(0));
        visits(owner, "snapshot_metadata.title", "asc", 30).queryParam("filter_title", title)
                .queryParam("filter_owner_id", OWNER).get("/snapshot_access_logs").then().body("items.snapshotId", equalTo(List.of(id)));

        // delete: 2xx; the owner's own log goes with it, visitors' logs are marked deleted
        owner.write().delete("/snapshots/" + id).then().statusCode(200);
        visitor.get().get("/snapshots/" + id).then().statusCode(404).body("error.type", equalTo("NoDataError"))
                .body("error.message", equalTo("Snapshot not found"));
        visits(owner, "last_visited_at", "desc", 30).queryParam("filter_title", title).get("/snapshot_access_logs")
                .then().body("items.size()", equalTo(0));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> visits(visitor, "last_visited_at", "desc", 30)
                .queryParam("filter_title", title).get("/snapshot_access_logs").then()
                .body("items.snapshotId", equalTo(List.of(id))).body("items[0].snapshotDeleted", equalTo(true)));
        // "hide deleted snapshots": filter_snapshot_deleted=true lists live ones only
        visits(visitor, "last_visited_at", "desc", 30).queryParam("filter_title", title)
                .queryParam("filter_snapshot_deleted", "true").get("/snapshot_access_logs").then()
                .body("items.size()", equalTo(0));

        List<Map<String, Object>> notices = noticesAfter(OWNER, ownerFrom, 2).stream()
                .filter(n -> id.equals(n.get("resourceId"))).toList();
        assertEquals(List.of("snapshot.created", "snapshot.deleted"), notices.stream().map(n -> n.get("type")).toList());
    }

    @Test
    void onlyItsOwnerDeletesASnapshot() {
        String id = create(owner, "not yours " + UUID.randomUUID(), "\"x\"");
        visitor.write().delete("/snapshots/" + id).then().statusCode(404).body("error.type", equalTo("NoDataError"));
        visitor.get().get("/snapshots/" + id).then().statusCode(200);
    }

    @Test
    void visitListsPageWithTheirCursorAndSortByTitle() {
        String tag = "paged-" + UUID.randomUUID().toString().substring(0, 8);
        for (String name : List.of("c", "a", "b")) {
            create(owner, tag + " " + name, "\"" + name + "\"");
        }
        Response first = visits(owner, "snapshot_metadata.title", "asc", 2).queryParam("filter_title", tag)
                .get("/snapshot_access_logs");
        String token = first.path("pageToken");
        assertNotNull(token);
        Response second = owner.get().queryParam("sort_by", "snapshot_metadata.title").queryParam("sort_direction", "asc")
                .queryParam("page_size", 2).queryParam("filter_title", tag).queryParam("cursor", token)
                .get("/snapshot_access_logs");
        assertEquals(List.of(tag + " a", tag + " b"), first.path("items.snapshotMetadata.title"));
        assertEquals(List.of(tag + " c"), second.path("items.snapshotMetadata.title"));
    }

    /** webviz main's list of your own snapshots: {items, pageToken}, its sort names, paging, a title filter. */
    @Test
    void yourSnapshotsAreListedAsWebvizMainListsThem() {
        String tag = "Own " + UUID.randomUUID().toString().substring(0, 8);
        create(owner, tag + " b", "{\"n\":1}");
        create(owner, tag + " a", "{\"n\":2}");
        create(owner, tag + " c", "{\"n\":3}");
        create(visitor, tag + " v", "{\"n\":4}");

        Response first = owner.get().queryParam("sort_by", "created_at").queryParam("sort_direction", "desc")
                .queryParam("page_size", 2).queryParam("filter_title", tag.toLowerCase()).get("/snapshots");
        first.then().statusCode(200);
        assertEquals(List.of(tag + " c", tag + " a"), first.path("items.title"));
        assertEquals(METADATA, ((Map<?, ?>) first.path("items[0]")).keySet());
        String token = first.path("pageToken");
        assertNotNull(token, "a next page");
        Response second = owner.get().queryParam("sort_by", "created_at").queryParam("sort_direction", "desc")
                .queryParam("page_size", 2).queryParam("filter_title", tag).queryParam("cursor", token).get("/snapshots");
        assertEquals(List.of(tag + " b"), second.path("items.title"));
        assertNull(second.<String>path("pageToken"));

        owner.get().queryParam("sort_by", "title_lower").queryParam("sort_direction", "asc").queryParam("filter_title", tag)
                .get("/snapshots").then().statusCode(200).body("items.title", equalTo(List.of(tag + " a", tag + " b", tag + " c")));
        visitor.get().queryParam("filter_title", tag).get("/snapshots").then().statusCode(200)
                .body("items.title", equalTo(List.of(tag + " v")));
        owner.get().queryParam("sort_by", "metadata.title").get("/snapshots").then().statusCode(400);
    }

    /** webviz main's "Remove from list": the caller's own log of a snapshot goes; the snapshot and others' logs stay. */
    @Test
    void removingASnapshotFromYourListForgetsOnlyYourVisits() {
        String title = "Removed " + UUID.randomUUID().toString().substring(0, 8);
        String id = create(owner, title, "{\"kept\":true}");
        visitor.get().get("/snapshots/" + id).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> visitor.get().queryParam("filter_title", title)
                .get("/snapshot_access_logs").path("items.size()").equals(1));

        Response removed = visitor.write().delete("/snapshot_access_logs/" + id);
        removed.then().statusCode(200);
        assertEquals("null", removed.asString());
        visitor.get().queryParam("filter_title", title).get("/snapshot_access_logs").then().body("items.size()", equalTo(0));
        owner.get().queryParam("filter_title", title).get("/snapshot_access_logs").then()
                .body("items.snapshotId", equalTo(List.of(id)));
        visitor.get().get("/snapshots/" + id).then().statusCode(200);
        owner.write().delete("/snapshot_access_logs/" + "NoSuchSnapsh").then().statusCode(404);
    }
}
