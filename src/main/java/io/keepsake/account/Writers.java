package io.keepsake.account;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.web.RateLimiter;
import io.smallrye.mutiny.Uni;

/**
 * The one way a write of a user's data is let in, whatever surface it came by (the native API, a
 * batch, the original workbench's): first a token from the writer's bucket of its kind, so that no
 * surface skips the limit and a user who writes through several gets the rate once (429 without
 * it); then no write while an erase of the writer's data is under way (409), since it could
 * outlive the erase. Only then is the write prepared and run.
 */
@ApplicationScoped
public class Writers {

    private final RateLimiter rateLimiter;
    private final Erasures erasures;

    Writers(RateLimiter rateLimiter, Erasures erasures) {
        this.rateLimiter = rateLimiter;
        this.erasures = erasures;
    }

    /** {@code write}, once the writer is let in. */
    public <T> Uni<T> admitted(String writer, RateLimiter.Kind kind, Supplier<Uni<T>> write) {
        rateLimiter.acquire(writer, kind);
        return erasures.admit(writer).chain(write::get);
    }
}
