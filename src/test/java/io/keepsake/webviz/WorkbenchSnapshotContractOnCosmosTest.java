package io.keepsake.webviz;

import io.keepsake.testing.OnCosmosStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link WorkbenchSnapshotContractTest} on a store that answers as Cosmos DB does. */
@QuarkusTest
@TestProfile(OnCosmosStore.class)
class WorkbenchSnapshotContractOnCosmosTest extends WorkbenchSnapshotContractTest {
}
