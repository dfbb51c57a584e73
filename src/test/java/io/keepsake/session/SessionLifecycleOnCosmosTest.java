package io.keepsake.session;

import io.keepsake.testing.OnCosmosStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link SessionLifecycleTest} on a store that answers as Cosmos DB does. */
@QuarkusTest
@TestProfile(OnCosmosStore.class)
class SessionLifecycleOnCosmosTest extends SessionLifecycleTest {
}
