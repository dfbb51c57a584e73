package io.keepsake.security;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import io.keepsake.KeepsakeConfig;
import io.keepsake.store.Time;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Browser sign-in with a session cookie: {@code GET /login} (the built-in users' login form,
 * posting to Quarkus' {@code /j_security_check}; or, with OIDC browser sign-in on, the
 * authorization-code flow) and {@code POST /logout}; {@code GET /persistence/me}, which tells a page
 * who is signed in, is the account's (see account/AccountResource).
 */
@Path("")
@Tag(name = "Sign-in", description = "Browser sign-in with a session cookie")
public class SignInResource {

    private static final String HTML = MediaType.TEXT_HTML + ";charset=UTF-8";
    /** Quarkus OIDC's session cookies start with this (one per tenant, possibly in chunks). */
    public static final String OIDC_SESSION_COOKIE = "q_session";

    private final CurrentIdentityAssociation identities;
    private final SignOuts signOuts;
    private final boolean oidc;
    private final URI landingPage;
    private final String formCookie;
    private final String formCookiePath;
    private final String loginForm;
    private final String loginFormWithError;

    SignInResource(CurrentIdentityAssociation identities, SignOuts signOuts, KeepsakeConfig config,
            @ConfigProperty(name = BrowserSignIn.ENABLED, defaultValue = "false") boolean oidc,
            @ConfigProperty(name = "quarkus.http.auth.form.cookie-name", defaultValue = "quarkus-credential") String formCookie,
            @ConfigProperty(name = "quarkus.http.auth.form.cookie-path", defaultValue = "/") String formCookiePath,
            @ConfigProperty(name = "quarkus.http.auth.form.post-location", defaultValue = "/j_security_check") String post,
            @ConfigProperty(name = "quarkus.http.auth.form.username-parameter", defaultValue = "j_username") String user,
            @ConfigProperty(name = "quarkus.http.auth.form.password-parameter", defaultValue = "j_password") String password) {
        this.identities = identities;
        this.signOuts = signOuts;
        this.oidc = oidc;
        this.landingPage = URI.create(config.signIn().landingPage());
        this.formCookie = formCookie;
        this.formCookiePath = formCookiePath;
        this.loginForm = LoginPage.render(post, user, password, false);
        this.loginFormWithError = LoginPage.render(post, user, password, true);
    }

    /** Who is signed in. */
    @RegisterForReflection
    public record Me(String user) {
    }

    @Operation(summary = "Sign in", description = "The login form of the built-in users, which posts to "
            + "/j_security_check; with OIDC browser sign-in, the authorization-code flow, ending on the landing page")
    @APIResponse(responseCode = "200", description = "The login form",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "302", description = "To the OIDC provider")
    @APIResponse(responseCode = "303", description = "Signed in: to the landing page")
    @GET
    @Path("/login")
    @PermitAll
    public Response login(@RestQuery String error) {
        if (oidc) {
            // BrowserSignIn let this request through only once the code flow had signed it in.
            return Response.seeOther(landingPage).header(HttpHeaders.CACHE_CONTROL, "no-store").build();
        }
        return Response.ok(error != null ? loginFormWithError : loginForm, HTML)
                .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    @Operation(summary = "Sign out", description = "Ends the caller's sign-in on every replica: cookies issued before "
            + "now stop working everywhere within keepsake.sign-in.sign-out-seen-within, copies included, and this "
            + "browser's are expired. A browser's form post is sent on to the landing page.")
    @APIResponse(responseCode = "204", description = "Signed out")
    @APIResponse(responseCode = "303", description = "Signed out (a browser's navigation): to the landing page")
    @POST
    @Path("/logout")
    @PermitAll
    public Uni<Response> logout(HttpHeaders headers) {
        String mode = headers.getHeaderString("Sec-Fetch-Mode");
        String accept = headers.getHeaderString(HttpHeaders.ACCEPT);
        boolean navigation = "navigate".equalsIgnoreCase(mode) || (mode == null && accept != null && accept.contains("text/html"));
        return identities.getDeferredIdentity().onFailure().recoverWithNull()
                .onItem().transformToUni(identity -> identity == null || identity.isAnonymous() ? Uni.createFrom().voidItem()
                        : signOuts.signOut(identity.getPrincipal().getName(), Time.now()))
                .map(ignored -> signedOut(navigation ? Response.seeOther(landingPage) : Response.noContent(), headers));
    }

    /** Expires the sign-in cookies: the login form's, and OIDC's session cookies (a local sign-out). */
    private Response signedOut(Response.ResponseBuilder response, HttpHeaders headers) {
        List<NewCookie> expired = new ArrayList<>();
        expired.add(expired(formCookie, formCookiePath));
        for (String name : headers.getCookies().keySet()) {
            if (name.startsWith(OIDC_SESSION_COOKIE)) {
                expired.add(expired(name, "/"));
            }
        }
        return response.cookie(expired.toArray(new NewCookie[0])).header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    private static NewCookie expired(String name, String path) {
        return new NewCookie.Builder(name).value("").path(path).maxAge(0).httpOnly(true).build();
    }
}
