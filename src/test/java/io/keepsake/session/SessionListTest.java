package io.keepsake.session;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static io.keepsake.testing.Api.newSession;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Listing: filters, sorting and keyset paging. Each test works on titles with its own unique prefix. */
@QuarkusTest
class SessionListTest {

    private static final String USER = "bob";

    private static Response list(Map<String, ?> params) {
        return as(USER).queryParams(params).get("/sessions");
    }

    private static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    @Test
    void searchTextIsMatchedLiterallyAndCaseInsensitively() {
        String tag = unique("lit");
        String dotStar = newSession(USER, tag + " a.*b", 1);
        String paren = newSession(USER, tag + " (open", 1);
        String dollar = newSession(USER, tag + " $where", 1);
        newSession(USER, tag + " plain axxb", 1);

        assertEquals(List.of(dotStar), list(Map.of("filter_title", tag + " A.*B")).path("items.id"));
        assertEquals(List.of(paren), list(Map.of("filter_title", "(OPEN")).path("items.id"));
        assertEquals(List.of(dollar), list(Map.of("filter_title", "$where")).path("items.id"));
        list(Map.of("filter_title", tag)).then().body("items", hasSize(4));
        list(Map.of("filter_title", tag + " [")).then().statusCode(200).body("items", hasSize(0));
    }

    @Test
    void descriptionAndDateFiltersNarrowTheList() {
        String tag = unique("desc");
        Instant before = Instant.now().minusSeconds(1);
        String wanted = as(USER).contentType("application/json")
                .body(Map.of("title", "d", "description", "About " + tag + " wells", "content", 1))
                .post("/sessions").path("id");
        list(Map.of("filter_description", tag.toUpperCase())).then().body("items.id", equalTo(List.of(wanted)));
        list(Map.of("filter_description", tag, "filter_created_from", before.toString()))
                .then().body("items", hasSize(1));
        list(Map.of("filter_description", tag, "filter_updated_to", before.toString()))
                .then().body("items", hasSize(0));
        list(Map.of("filter_created_from", "yesterday")).then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("filter_created_from"));
    }

    @Test
    void titlesSortCaseInsensitivelyInBothDirections() {
        String tag = unique("sort");
        for (String suffix : new String[] {"b", "C", "a", "D"}) {
            newSession(USER, tag + suffix, 1);
        }
        assertEquals(List.of(tag + "a", tag + "b", tag + "C", tag + "D"),
                list(Map.of("filter_title", tag, "sort_by", "title")).path("items.title"));
        assertEquals(List.of(tag + "D", tag + "C", tag + "b", tag + "a"),
                list(Map.of("filter_title", tag, "sort_by", "title", "sort_direction", "desc")).path("items.title"));
    }

    @Test
    void theDefaultOrderIsMostRecentlyUpdatedFirst() {
        String tag = unique("recent");
        String first = newSession(USER, tag + "1", 1);
        String second = newSession(USER, tag + "2", 1);
        String etag = as(USER).get("/sessions/metadata/" + first).header("ETag");
        as(USER).contentType("application/json").header("If-Match", etag)
                .body(Map.of("title", tag + "1", "content", 2)).put("/sessions/" + first).then().statusCode(200);
        assertEquals(List.of(first, second), list(Map.of("filter_title", tag)).path("items.id"));
    }

    @Test
    void pagesWalkEveryItemOnceEvenWhileItemsAreAddedAndRemoved() {
        String tag = unique("page");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(newSession(USER, tag + "-" + i, i));
        }
        Response first = list(Map.of("filter_title", tag, "sort_by", "title", "page_size", 3));
        first.then().body("items", hasSize(3)).body("pageToken", notNullValue());
        List<String> seen = new ArrayList<>(first.path("items.id"));

        // Between pages: remove one already served and one not yet served, add one before and one after the cursor.
        as(USER).delete("/sessions/" + ids.get(0)).then().statusCode(204);
        as(USER).delete("/sessions/" + ids.get(5)).then().statusCode(204);
        newSession(USER, tag + "-0b", 1); // sorts before the cursor: not in the remaining pages
        String late = newSession(USER, tag + "-9", 1); // sorts after it: is

        String token = first.path("pageToken");
        while (token != null) {
            Response page = list(Map.of("filter_title", tag, "sort_by", "title", "page_size", 3, "cursor", token));
            page.then().statusCode(200);
            seen.addAll(page.path("items.id"));
            token = page.path("pageToken");
        }
        List<String> expected = new ArrayList<>(ids.subList(0, 3));
        expected.addAll(List.of(ids.get(3), ids.get(4), ids.get(6), late));
        assertEquals(expected, seen);
    }

    @Test
    void pageSizeIsClampedAndTheLastPageHasNoToken() {
        String tag = unique("clamp");
        for (int i = 0; i < 3; i++) {
            newSession(USER, tag + i, i);
        }
        list(Map.of("filter_title", tag, "page_size", 0)).then().body("items", hasSize(1)).body("pageToken", notNullValue());
        list(Map.of("filter_title", tag, "page_size", 1000)).then().body("items", hasSize(3)).body("pageToken", nullValue());
        list(Map.of("filter_title", tag)).then().body("items", hasSize(3)).body("pageToken", nullValue());
    }

    @Test
    void theDefaultPageIsTwentyAndTheMaximumAHundred() {
        String tag = unique("many");
        for (int i = 0; i < 105; i++) {
            createSession(USER, tag + i, i).then().statusCode(201);
        }
        list(Map.of("filter_title", tag)).then().body("items", hasSize(20));
        Response max = list(Map.of("filter_title", tag, "page_size", 500));
        max.then().body("items", hasSize(100));
        List<Instant> updated = max.<List<String>>path("items.updatedAt").stream().map(Instant::parse).toList();
        List<Instant> sorted = new ArrayList<>(updated);
        sorted.sort(Comparator.reverseOrder());
        assertEquals(sorted, updated);
        list(Map.of("filter_title", tag, "page_size", 100, "cursor", max.path("pageToken")))
                .then().body("items", hasSize(5)).body("pageToken", nullValue());
    }

    @Test
    void badSortOrCursorIs400() {
        list(Map.of("sort_by", "ownerId")).then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("sort_by")).body("detail", containsString("updatedAt, createdAt, title"));
        list(Map.of("sort_direction", "sideways")).then().statusCode(400).body("field", equalTo("sort_direction"));
        list(Map.of("cursor", "not-a-cursor")).then().statusCode(400).body("field", equalTo("cursor"));
        list(Map.of("page_size", "ten")).then().statusCode(400).contentType("application/problem+json");
        list(Map.of("filter_title", "a\u0000b")).then().statusCode(400).body("field", equalTo("filter_title"));
        list(Map.of("filter_created_from", "+999999999-12-31T23:59:59Z")).then().statusCode(400)
                .body("field", equalTo("filter_created_from"));
        String tag = unique("mixed");
        newSession(USER, tag + "1", 1);
        newSession(USER, tag + "2", 1);
        String token = list(Map.of("filter_title", tag, "page_size", 1)).path("pageToken");
        list(Map.of("filter_title", tag, "sort_by", "title", "cursor", token)).then().statusCode(400)
                .body("detail", containsString("another sort order"));
    }
}
