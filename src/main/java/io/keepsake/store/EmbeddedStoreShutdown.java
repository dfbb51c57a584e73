package io.keepsake.store;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;

/** Closes the embedded store after the application has stopped using it. */
class EmbeddedStoreShutdown {

    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER + 1000) ShutdownEvent event) {
        EmbeddedStore store = EmbeddedStore.running();
        if (store != null) {
            store.stop();
            Log.infof("Embedded store closed (%s)", store.dataDir().toAbsolutePath());
        }
    }
}
