package io.keepsake.notice;

import io.keepsake.testing.OnCosmosStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link NoticePollingTest} on a store that answers as Cosmos DB does. */
@QuarkusTest
@TestProfile(OnCosmosStore.class)
class NoticePollingOnCosmosTest extends NoticePollingTest {
}
