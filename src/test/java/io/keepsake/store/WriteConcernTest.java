package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.mongodb.WriteConcern;

import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.test.junit.QuarkusTest;

/** Writes ask MongoDB for a majority, journaled acknowledgement, not the driver's default of one member's memory. */
@QuarkusTest
class WriteConcernTest {

    @Inject
    ReactiveMongoClient client;

    @Test
    void everyWriteAsksForAMajorityJournaledAcknowledgement() {
        WriteConcern concern = client.unwrap().getDatabase("keepsake").getWriteConcern();
        assertEquals("majority", concern.getWString());
        assertEquals(Boolean.TRUE, concern.getJournal());
        assertEquals(10_000L, concern.getWTimeout(TimeUnit.MILLISECONDS).longValue());
    }
}
