package io.keepsake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.keepsake.store.EmbeddedStore;

/** Which store the service starts on. */
class KeepsakeMainTest {

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        System.clearProperty("keepsake.mongodb.uri");
        System.clearProperty("keepsake.store.data-dir");
        EmbeddedStore running = EmbeddedStore.running();
        if (running != null) {
            running.stop();
        }
    }

    @Test
    void theEmbeddedStoreListensBeyondLoopbackOnlyWhenThatIsMeant() {
        assertEquals("127.0.0.1", KeepsakeMain.storeHost("127.0.0.1", false));
        assertEquals("localhost", KeepsakeMain.storeHost("localhost", false));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> KeepsakeMain.storeHost("0.0.0.0", false));
        assertTrue(refused.getMessage().contains("KEEPSAKE_STORE_EXPOSE_WITHOUT_AUTHENTICATION"), refused.getMessage());
        assertEquals("0.0.0.0", KeepsakeMain.storeHost("0.0.0.0", true));
    }

    @Test
    void aConfiguredConnectionStringIsUsedAndNoEmbeddedStoreStarts() {
        System.setProperty("keepsake.mongodb.uri", "mongodb://db.example:27017/?replicaSet=rs0");
        assertEquals("mongodb://db.example:27017/?replicaSet=rs0", KeepsakeMain.configuredStoreUri());
        assertNull(EmbeddedStore.running());
    }

    @Test
    void withoutOneTheEmbeddedStoreStartsInTheDataDirectory() {
        Path data = dir.resolve("nested/data");
        System.setProperty("keepsake.store.data-dir", data.toString());
        assertNull(KeepsakeMain.configuredStoreUri());
        String uri = KeepsakeMain.startEmbeddedStore();
        EmbeddedStore store = EmbeddedStore.running();
        assertNotNull(store);
        assertEquals(store.connectionString(), uri);
        assertTrue(uri.startsWith("mongodb://127.0.0.1:"), uri);
        assertTrue(Files.isDirectory(data));
    }

    @Test
    void theSignInKeyIsKeptWithTheEmbeddedStoresDataSoBrowsersStaySignedInOverARestart() throws Exception {
        String first = KeepsakeMain.signInKey(dir);
        assertEquals(first, KeepsakeMain.signInKey(dir));
        assertEquals(32, java.util.Base64.getDecoder().decode(first).length);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("sign-in.key"))));
        assertTrue(!first.equals(KeepsakeMain.signInKey(null)), "without a data directory, a new key each start");
    }
}
