package io.keepsake.security;

import java.time.Instant;
import java.util.Date;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;

import io.keepsake.KeepsakeConfig;
import io.keepsake.store.Throttled;
import io.keepsake.store.UserLooks;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Uni;

/**
 * When each user last signed out ({@code sign_outs}: one document per user, {@code at} only ever
 * moves forward). A sign-in cookie issued before that time is refused everywhere, so that a copy
 * of a cookie taken before a sign-out is worth nothing after it. Each replica keeps what it read
 * for {@code keepsake.sign-in.sign-out-seen-within} (5 s): a sign-out made on another replica is
 * seen here at most that much later, and a signed-in user costs one small read per that time, not
 * one per request.
 */
@ApplicationScoped
public class SignOuts {

    private static final String AT = "at";

    private final ReactiveMongoCollection<Document> signOuts;
    /** User -> their last sign-out in epoch milliseconds (0: never). */
    private final UserLooks<Long> last;

    public SignOuts(ReactiveMongoClient client, KeepsakeConfig config,
            @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.signOuts = client.getDatabase(database).getCollection("sign_outs");
        this.last = new UserLooks<>(config.signIn().signOutSeenWithin(), user -> signOuts.find(Filters.eq("_id", user))
                .collect().first().plug(Throttled::retry)
                .map(found -> found == null || found.getDate(AT) == null ? 0L : found.getDate(AT).getTime()));
    }

    /** When the user last signed out, in epoch milliseconds (0 if never). */
    public Uni<Long> lastSignOut(String user) {
        return last.get(user);
    }

    /** Records that the user signed out at {@code at}: their cookies issued before it stop working. */
    public Uni<Void> signOut(String user, Instant at) {
        long millis = at.toEpochMilli();
        return signOuts.updateOne(Filters.eq("_id", user), Updates.max(AT, Date.from(at)), new UpdateOptions().upsert(true))
                .plug(Throttled::retry) // $max: applying it twice is applying it once
                .invoke(() -> last.put(user, millis))
                .replaceWithVoid();
    }
}
