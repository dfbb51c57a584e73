package io.keepsake.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;

import io.keepsake.store.Ids;
import io.keepsake.store.StoreErrors;
import io.keepsake.store.Throttled;
import io.keepsake.web.ApiProblem;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Uni;

/**
 * The session id of an app's keyed state: HMAC-SHA256 of the owner and the key under a secret of
 * the deployment's, as a session id. The same owner and key always give the same id, so the key is
 * unique per user without a unique index (Cosmos DB builds those only on empty collections), and
 * ids stay unguessable. The secret is made once, by whichever replica first needs it, and kept in
 * the store ({@code secrets}, {@code _id: "state-ids"}), so that every replica and every restart
 * agrees.
 */
@ApplicationScoped
public class StateIds {

    /** An app's key: URL-safe characters, 1 to 200. */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._~:-]{1,200}");
    private static final String SECRET = "state-ids";

    private final ReactiveMongoCollection<Document> secrets;
    private volatile byte[] secret;

    StateIds(ReactiveMongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.secrets = client.getDatabase(database).getCollection("secrets");
    }

    /** The key, if it is one (400 otherwise). */
    static String valid(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw ApiProblem.invalidField("key", "A state's key is 1 to 200 of the characters A-Z a-z 0-9 . _ ~ : -");
        }
        return key;
    }

    /** The session id of the owner's state under {@code key}. */
    Uni<String> id(String owner, String key) {
        valid(key);
        byte[] known = secret;
        return (known != null ? Uni.createFrom().item(known) : load()).map(bytes -> idOf(bytes, owner, key));
    }

    private Uni<byte[]> load() {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        // Made once: whoever comes first sets it, everyone reads what was set.
        return secrets.findOneAndUpdate(Filters.eq("_id", SECRET),
                        Updates.setOnInsert("key", Base64.getEncoder().encodeToString(fresh)),
                        new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER))
                .plug(Throttled::retry)
                .onFailure(StoreErrors::isDuplicateKey).retry().atMost(1) // another replica made it first
                .map(stored -> {
                    byte[] bytes = Base64.getDecoder().decode(stored.getString("key"));
                    secret = bytes;
                    return bytes;
                });
    }

    private static String idOf(byte[] secret, String owner, String key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] digest = mac.doFinal((owner + '\n' + key).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, Ids.LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
