package io.keepsake.webviz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.keepsake.web.ApiProblem;

/** The original workbench's query parameters in Keepsake's terms. */
class WorkbenchQueryTest {

    @Test
    void itsSortNamesAreKeepsakes() {
        assertEquals("updatedAt", WorkbenchQuery.sort("metadata.updated_at", WorkbenchQuery.SESSION_SORTS));
        assertEquals("title", WorkbenchQuery.sort("metadata.title", WorkbenchQuery.SESSION_SORTS));
        assertEquals("createdAt", WorkbenchQuery.sort("metadata.created_at", WorkbenchQuery.SESSION_SORTS));
        assertEquals("lastVisitedAt", WorkbenchQuery.sort("last_visited_at", WorkbenchQuery.VISIT_SORTS));
        assertEquals("title", WorkbenchQuery.sort("snapshot_metadata.title", WorkbenchQuery.VISIT_SORTS));
        assertEquals("snapshotCreatedAt", WorkbenchQuery.sort("snapshot_metadata.created_at", WorkbenchQuery.VISIT_SORTS));
        assertNull(WorkbenchQuery.sort("", WorkbenchQuery.SESSION_SORTS));
        assertEquals(400, assertThrows(ApiProblem.class, () -> WorkbenchQuery.sort("updatedAt", WorkbenchQuery.SESSION_SORTS))
                .status());
    }

    @Test
    void itsDatesAreReadAsJavaScriptAndPythonWriteThem() {
        Instant noon = Instant.parse("2026-01-31T12:00:00Z");
        assertEquals(noon, WorkbenchQuery.instant("f", "2026-01-31T12:00:00.000Z"));
        assertEquals(noon, WorkbenchQuery.instant("f", "2026-01-31T12:00:00+00:00"));
        assertEquals(noon, WorkbenchQuery.instant("f", "2026-01-31T13:00:00+01:00"));
        assertEquals(noon, WorkbenchQuery.instant("f", "2026-01-31T12:00:00"));
        assertEquals(Instant.parse("2026-01-31T00:00:00Z"), WorkbenchQuery.instant("f", "2026-01-31"));
        assertNull(WorkbenchQuery.instant("f", ""));
        assertEquals("f", assertThrows(ApiProblem.class, () -> WorkbenchQuery.instant("f", "yesterday")).extension("field"));
    }

    @Test
    void hidingDeletedSnapshotsIsEitherValueOfTheFlag() {
        assertEquals(Boolean.FALSE, WorkbenchQuery.liveOnly("true"));
        assertEquals(Boolean.FALSE, WorkbenchQuery.liveOnly("false"));
        assertNull(WorkbenchQuery.liveOnly(null));
        assertNull(WorkbenchQuery.liveOnly(""));
        assertThrows(ApiProblem.class, () -> WorkbenchQuery.liveOnly("maybe"));
    }
}
