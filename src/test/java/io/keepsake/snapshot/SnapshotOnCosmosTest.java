package io.keepsake.snapshot;

import io.keepsake.testing.OnCosmosStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link SnapshotTest} on a store that answers as Cosmos DB does. */
@QuarkusTest
@TestProfile(OnCosmosStore.class)
class SnapshotOnCosmosTest extends SnapshotTest {
}
