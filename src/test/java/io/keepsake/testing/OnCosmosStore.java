package io.keepsake.testing;

import java.util.List;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The application on a store that answers as Cosmos DB for MongoDB does ({@link CosmosStoreResource}:
 * its error words, its refusals of unindexed sorts, change streams and documents over 2 MB) instead
 * of the embedded store: the API tests that run again on it extend their class with this profile.
 */
public class OnCosmosStore implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(CosmosStoreResource.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }
}
