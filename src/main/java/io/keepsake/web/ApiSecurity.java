package io.keepsake.web;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * How to sign in, in the API description. An operation that needs a sign-in accepts any of the
 * schemes (Quarkus names only the first), with the roles it needs; one that does not lists none.
 * The configured OIDC provider, if any, is named by its discovery document, so that clients and
 * Swagger UI can sign in with it; without one there is no OpenID Connect scheme, as it would have
 * no address to give. Reads the configuration the service runs with.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP, priority = SharedResponses.PRIORITY + 1)
public class ApiSecurity implements OASFilter {

    static final String OIDC = "oidc";
    static final String DISCOVERY = "/.well-known/openid-configuration";

    @Override
    public void filterOpenAPI(OpenAPI api) {
        describe(api, discoveryUrl(ConfigProvider.getConfig()));
    }

    static void describe(OpenAPI api, Optional<String> discovery) {
        Components components = api.getComponents();
        if (discovery.isPresent()) {
            components.addSecurityScheme(OIDC, OASFactory.createSecurityScheme().type(SecurityScheme.Type.OPENIDCONNECT)
                    .openIdConnectUrl(discovery.get()).description("Sign in with the OIDC provider"));
        } else {
            components.removeSecurityScheme(OIDC);
        }
        List<String> schemes = List.copyOf(components.getSecuritySchemes().keySet());
        if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
            return;
        }
        api.getPaths().getPathItems().values().forEach(item -> item.getOperations().values().forEach(operation -> {
            if (operation.getSecurity() != null && !operation.getSecurity().isEmpty()) {
                List<String> roles = roles(operation);
                operation.setSecurity(schemes.stream()
                        .map(scheme -> OASFactory.createSecurityRequirement().addScheme(scheme, roles)).toList());
            }
        }));
    }

    /** The OIDC provider's discovery document, when bearer tokens from one are taken. */
    static Optional<String> discoveryUrl(Config config) {
        if (!config.getOptionalValue("quarkus.oidc.tenant-enabled", Boolean.class).orElse(true)) {
            return Optional.empty();
        }
        return config.getOptionalValue("quarkus.oidc.auth-server-url", String.class).map(String::strip)
                .filter(url -> !url.isEmpty())
                .map(url -> url.endsWith(DISCOVERY) ? url : url.replaceAll("/+$", "") + DISCOVERY);
    }

    private static List<String> roles(Operation operation) {
        return operation.getSecurity().stream().map(SecurityRequirement::getSchemes).filter(Objects::nonNull)
                .flatMap(schemes -> schemes.values().stream()).filter(Objects::nonNull).filter(r -> !r.isEmpty())
                .findFirst().map(List::copyOf).orElse(List.of());
    }
}
