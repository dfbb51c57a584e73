package io.keepsake.session;

import io.keepsake.testing.OnCosmosStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link SessionListTest} on a store that answers as Cosmos DB does. */
@QuarkusTest
@TestProfile(OnCosmosStore.class)
class SessionListOnCosmosTest extends SessionListTest {
}
