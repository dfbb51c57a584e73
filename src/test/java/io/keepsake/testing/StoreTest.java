package io.keepsake.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** Marks the tests that run the application on the embedded test store (one store per test run). */
@QuarkusTestResource(EmbeddedStoreResource.class)
public final class StoreTest {

    private StoreTest() {
    }
}
