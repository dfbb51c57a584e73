package io.keepsake.account;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.keepsake.web.ApiProblem;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;

/**
 * While everything of a user's is being erased, their writes to the API (either surface) are
 * refused with 409: a write that landed among the erase's steps could outlive it. Asking for the
 * erase again is let through; reads are.
 */
public class WritesWhileErasing {

    private final Erasures erasures;
    private final CurrentIdentityAssociation identity;

    WritesWhileErasing(Erasures erasures, CurrentIdentityAssociation identity) {
        this.erasures = erasures;
        this.identity = identity;
    }

    @ServerRequestFilter
    public Uni<Void> refuse(ContainerRequestContext request) {
        String method = request.getMethod();
        String path = request.getUriInfo().getPath();
        boolean write = !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
        if (!write || !path.contains("persistence/") || path.endsWith("persistence/me") || path.contains("persistence/users/")
                || path.contains("persistence/admin/")) {
            return Uni.createFrom().voidItem();
        }
        return identity.getDeferredIdentity().onItem().transformToUni(caller -> caller.isAnonymous()
                ? Uni.createFrom().voidItem()
                : erasures.underWay(caller.getPrincipal().getName()).onItem().transformToUni(erasing -> erasing
                        ? Uni.createFrom().failure(ApiProblem.conflict(
                                "Everything of yours is being erased; writes are refused until it is done")
                                .with("erasure", "/persistence/me/erasure"))
                        : Uni.createFrom().voidItem()));
    }
}
