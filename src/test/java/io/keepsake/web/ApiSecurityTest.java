package io.keepsake.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;
import org.junit.jupiter.api.Test;

import io.smallrye.config.SmallRyeConfigBuilder;

/** How the API description says to sign in, with and without an OIDC provider configured. */
class ApiSecurityTest {

    private static final String ISSUER = "https://login.example/realms/keepsake";

    @Test
    void aConfiguredProviderIsNamedByItsDiscoveryDocument() {
        String discovery = ISSUER + "/.well-known/openid-configuration";
        assertEquals(Optional.of(discovery), ApiSecurity.discoveryUrl(config(Map.of(
                "quarkus.oidc.tenant-enabled", "true", "quarkus.oidc.auth-server-url", ISSUER + "/"))));
        assertEquals(Optional.of(discovery), ApiSecurity.discoveryUrl(config(Map.of("quarkus.oidc.auth-server-url", discovery))));
    }

    @Test
    void withoutAProviderThereIsNoOpenIdConnectScheme() {
        assertEquals(Optional.empty(), ApiSecurity.discoveryUrl(config(Map.of())));
        assertEquals(Optional.empty(), ApiSecurity.discoveryUrl(config(Map.of("quarkus.oidc.tenant-enabled", "false",
                "quarkus.oidc.auth-server-url", ISSUER))));

        OpenAPI api = api();
        ApiSecurity.describe(api, Optional.empty());
        assertEquals(List.of("basic", "bearer"), List.copyOf(api.getComponents().getSecuritySchemes().keySet()));
    }

    @Test
    void anOperationThatNeedsASignInAcceptsEverySchemeWithItsRoles() {
        OpenAPI api = api();
        ApiSecurity.describe(api, Optional.of(ISSUER + "/.well-known/openid-configuration"));

        SecurityScheme oidc = api.getComponents().getSecuritySchemes().get("oidc");
        assertEquals(SecurityScheme.Type.OPENIDCONNECT, oidc.getType());
        assertEquals(ISSUER + "/.well-known/openid-configuration", oidc.getOpenIdConnectUrl());
        Operation admin = api.getPaths().getPathItem("/admin").getGET();
        assertEquals(List.of(Map.of("basic", List.of("admin")), Map.of("bearer", List.of("admin")), Map.of("oidc", List.of("admin"))),
                admin.getSecurity().stream().map(SecurityRequirement::getSchemes).toList());
        List<SecurityRequirement> open = api.getPaths().getPathItem("/public").getGET().getSecurity();
        assertTrue(open == null || open.isEmpty(), "a public operation needs no sign-in");
    }

    /** Two schemes, an operation Quarkus marked with the first of them and a role, and a public one. */
    private static OpenAPI api() {
        return OASFactory.createOpenAPI()
                .components(OASFactory.createComponents()
                        .addSecurityScheme("basic", OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic"))
                        .addSecurityScheme("bearer", OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .paths(OASFactory.createPaths()
                        .addPathItem("/admin", OASFactory.createPathItem().GET(OASFactory.createOperation()
                                .addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme("basic", "admin"))))
                        .addPathItem("/public", OASFactory.createPathItem().GET(OASFactory.createOperation())));
    }

    private static Config config(Map<String, String> values) {
        return new SmallRyeConfigBuilder().withDefaultValues(values).build();
    }
}
