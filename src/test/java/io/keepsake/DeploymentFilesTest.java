package io.keepsake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.config.ConfigMappings;

/**
 * What deploy/ and the container builds say agrees with what the service reads: every file parses,
 * every environment variable they set is a setting the service takes at run time, and the
 * Kubernetes objects point at each other and at the service's real port and health endpoints.
 * (Building the images and applying the manifests needs a container runtime; see deploy/README.md.)
 */
class DeploymentFilesTest {

    private static final Path DEPLOY = Path.of("deploy");
    private static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    private static final Path DOCKER = Path.of("src/main/docker");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyYamlFileUnderDeployParses() throws IOException {
        List<Path> files = yamlFiles(DEPLOY);
        assertTrue(files.size() >= 8, "compose file and manifests: " + files);
        for (Path file : files) {
            List<JsonNode> documents = documents(file);
            assertFalse(documents.isEmpty(), file + " holds no document");
            documents.forEach(document -> assertTrue(document.isObject(), file + ": " + document));
        }
    }

    @Test
    void everyEnvironmentVariableSetForTheServiceIsASettingItReadsAtRunTime() throws IOException {
        Set<String> known = runTimeSettings();
        Map<String, String> set = environmentSetByDeployFiles();
        assertTrue(set.size() >= 10, "settings found: " + set);
        List<String> unknown = set.entrySet().stream().filter(entry -> !known.contains(entry.getKey()))
                .map(entry -> entry.getKey() + " (" + entry.getValue() + ")").sorted().toList();
        assertEquals(List.of(), unknown, "set by deploy files but not read by the service at run time");
    }

    @Test
    void theManifestsAreKubernetesObjectsWithNoMisspeltFields() throws Exception {
        Map<String, Class<?>> models = Map.of(
                "ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class,
                "Secret", io.fabric8.kubernetes.api.model.Secret.class,
                "Service", io.fabric8.kubernetes.api.model.Service.class,
                "Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class,
                "PodDisruptionBudget", io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class,
                "HorizontalPodAutoscaler", io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class,
                "NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
        int checked = 0;
        for (Path file : yamlFiles(KUBERNETES)) {
            for (JsonNode document : documents(file)) {
                String kind = document.path("kind").asText();
                if (kind.equals("Kustomization")) {
                    continue;
                }
                assertTrue(models.containsKey(kind), file + ": unexpected kind " + kind);
                List<String> unknown = new ArrayList<>();
                unknownFields(JSON.treeToValue(document, models.get(kind)), kind, unknown);
                assertEquals(List.of(), unknown, file + ": fields Kubernetes does not know");
                checked++;
            }
        }
        assertEquals(models.size(), checked);
        // The API server takes only strings in a ConfigMap: a bare true or 5 is refused.
        for (JsonNode document : documents(KUBERNETES.resolve("configmap.yaml"))) {
            document.path("data").fields().forEachRemaining(entry ->
                    assertTrue(entry.getValue().isTextual(), entry.getKey() + " must be quoted"));
        }
    }

    /** Collects the fields the Kubernetes model did not recognise (it keeps them as "additional properties"). */
    private static void unknownFields(Object value, String path, List<String> unknown) throws Exception {
        if (value instanceof java.util.Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown);
            }
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                unknownFields(entry.getValue(), path + "." + entry.getKey(), unknown);
            }
        } else if (value != null && value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            for (java.lang.reflect.Method getter : value.getClass().getMethods()) {
                if (getter.getParameterCount() > 0 || !getter.getName().startsWith("get")
                        || getter.getDeclaringClass() == Object.class) {
                    continue;
                }
                Object field = getter.invoke(value);
                if (getter.getName().equals("getAdditionalProperties")) {
                    ((Map<?, ?>) field).keySet().forEach(name -> unknown.add(path + "." + name));
                } else {
                    unknownFields(field, path + "." + getter.getName().substring(3), unknown);
                }
            }
        }
    }

    @Test
    void theKubernetesObjectsReferToEachOtherAndToTheServicesPortAndHealthEndpoints() throws IOException {
        Map<String, JsonNode> byKind = new LinkedHashMap<>();
        for (Path file : yamlFiles(KUBERNETES)) {
            for (JsonNode document : documents(file)) {
                byKind.put(document.path("kind").asText(), document);
            }
        }
        assertEquals(Set.of("Kustomization", "ConfigMap", "Secret", "Deployment", "Service", "PodDisruptionBudget",
                "HorizontalPodAutoscaler", "NetworkPolicy"), byKind.keySet());

        Set<String> listed = new TreeSet<>();
        byKind.get("Kustomization").path("resources").forEach(resource -> listed.add(resource.asText()));
        // The Secret is created out of band (its example is never applied over the real one).
        Set<String> present = yamlFiles(KUBERNETES).stream().map(path -> path.getFileName().toString())
                .filter(name -> !name.equals("kustomization.yaml") && !name.endsWith(".example.yaml"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(present, listed, "kustomization.yaml lists every manifest but the examples");
        assertTrue(listed.stream().noneMatch(name -> name.startsWith("secret")), "no Secret is applied from files");

        JsonNode deployment = byKind.get("Deployment");
        String name = deployment.path("metadata").path("name").asText();
        JsonNode labels = deployment.path("spec").path("template").path("metadata").path("labels");
        assertEquals(labels, deployment.path("spec").path("selector").path("matchLabels"));
        assertEquals(labels, byKind.get("Service").path("spec").path("selector"));
        assertEquals(labels, byKind.get("PodDisruptionBudget").path("spec").path("selector").path("matchLabels"));
        assertEquals(name, byKind.get("HorizontalPodAutoscaler").path("spec").path("scaleTargetRef").path("name").asText());
        assertEquals(labels, byKind.get("NetworkPolicy").path("spec").path("podSelector").path("matchLabels"));

        JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").get(0);
        Properties application = applicationProperties();
        JsonNode port = container.path("ports").get(0);
        assertEquals(Integer.parseInt(application.getProperty("quarkus.http.port")), port.path("containerPort").asInt());
        assertEquals(port.path("name").asText(), byKind.get("Service").path("spec").path("ports").get(0).path("targetPort").asText());
        // Probes reach health on the management interface, which the Service does not expose.
        JsonNode management = container.path("ports").get(1);
        assertEquals(Integer.parseInt(application.getProperty("quarkus.management.port")),
                management.path("containerPort").asInt());
        byKind.get("Service").path("spec").path("ports").forEach(exposed ->
                assertFalse(exposed.path("targetPort").asText().equals(management.path("name").asText())));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertEquals(management.path("name").asText(), container.path(probe).path("httpGet").path("port").asText(), probe);
        }
        // The management port is reachable from one namespace (monitoring) and by no rule that opens the HTTP port.
        Map<String, List<JsonNode>> allowedFrom = new LinkedHashMap<>();
        for (JsonNode rule : byKind.get("NetworkPolicy").path("spec").path("ingress")) {
            assertFalse(rule.path("ports").isEmpty(), "a rule without ports opens every port: " + rule);
            rule.path("ports").forEach(allowed ->
                    allowedFrom.computeIfAbsent(allowed.path("port").asText(), p -> new ArrayList<>()).add(rule.path("from")));
        }
        assertEquals(Set.of(port.path("name").asText(), management.path("name").asText()), allowedFrom.keySet(),
                "rules name the container's ports");
        assertEquals(1, allowedFrom.get(management.path("name").asText()).size());
        JsonNode monitoring = allowedFrom.get(management.path("name").asText()).get(0);
        assertEquals(1, monitoring.size());
        assertTrue(monitoring.get(0).has("namespaceSelector") && !monitoring.get(0).has("podSelector"), monitoring.toString());
        assertFalse(allowedFrom.get(port.path("name").asText()).contains(monitoring), "monitoring is not the ingress");
        assertEquals("/q/health/started", container.path("startupProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/live", container.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
        assertTrue(container.path("resources").path("limits").has("memory"), "a memory limit");
        assertTrue(container.path("resources").path("requests").has("cpu"), "a CPU request, which the autoscaler needs");

        Set<String> sources = new HashSet<>();
        container.path("envFrom").forEach(from -> from.fields()
                .forEachRemaining(ref -> sources.add(ref.getKey() + ":" + ref.getValue().path("name").asText())));
        assertEquals(Set.of("configMapRef:" + byKind.get("ConfigMap").path("metadata").path("name").asText(),
                "secretRef:" + byKind.get("Secret").path("metadata").path("name").asText()), sources);

        // The pod gets to finish: readiness delay, requests in flight, then running tasks.
        Duration needed = Duration.parse("PT" + byKind.get("ConfigMap").path("data").path("QUARKUS_SHUTDOWN_DELAY").asText())
                .plus(Duration.parse("PT" + application.getProperty("quarkus.shutdown.timeout")))
                .plus(Duration.ofSeconds(5));
        long grace = deployment.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong();
        assertTrue(grace > needed.toSeconds(), "terminationGracePeriodSeconds " + grace + " vs " + needed);
    }

    @Test
    void theComposeFileRunsKeepsakeOnAThreeMemberReplicaSetItDefines() {
        JsonNode services = documents(DEPLOY.resolve("compose.yaml")).get(0).path("services");
        services.fields().forEachRemaining(service -> service.getValue().path("depends_on").fieldNames()
                .forEachRemaining(dependency -> assertTrue(services.has(dependency),
                        service.getKey() + " depends on " + dependency + ", which is not defined")));
        JsonNode keepsake = services.path("keepsake");
        Path context = DEPLOY.resolve(keepsake.path("build").path("context").asText()).normalize();
        assertTrue(Files.isRegularFile(context.resolve(keepsake.path("build").path("dockerfile").asText())));
        String uri = keepsake.path("environment").path("KEEPSAKE_MONGODB_URI").asText();
        assertTrue(uri.contains("replicaSet=rs0"), uri);
        for (String member : List.of("mongo1", "mongo2", "mongo3")) {
            assertTrue(uri.contains(member + ":27017"), uri);
            assertTrue(services.path(member).path("command").toString().contains("rs0"), member + " joins rs0");
        }
    }

    @Test
    void theContainerBuildsSeeEverythingTheyCopyAndNothingElse() throws IOException {
        List<String> allowed = Files.readAllLines(Path.of(".dockerignore")).stream()
                .filter(line -> line.startsWith("!")).map(line -> line.substring(1)).toList();
        assertTrue(Files.readAllLines(Path.of(".dockerignore")).contains("*"), "an allow-list: everything else is out");
        Pattern copy = Pattern.compile("^COPY (?!--from)(?:--\\S+ )*(\\S+) ", Pattern.MULTILINE);
        for (String dockerfile : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            Matcher sources = copy.matcher(Files.readString(DOCKER.resolve(dockerfile)));
            int copies = 0;
            while (sources.find()) {
                String source = sources.group(1);
                copies++;
                assertTrue(allowed.stream().anyMatch(entry -> entry.equals(source) || entry.startsWith(source + "/")),
                        dockerfile + " copies " + source + ", which .dockerignore keeps out");
                assertTrue(Files.exists(Path.of(source)), dockerfile + " copies " + source + ", which does not exist");
            }
            assertTrue(copies >= 4, dockerfile + ": " + copies + " COPY lines");
        }
    }

    /** Environment variable names the service reads at run time, each mapped to where it comes from. */
    private static Set<String> runTimeSettings() throws IOException {
        Set<String> names = new HashSet<>();
        // Quarkus' own settings, from the configuration model each extension ships; build-time
        // settings are left out: setting them on a built image changes nothing.
        List<URL> models = Collections.list(DeploymentFilesTest.class.getClassLoader()
                .getResources("META-INF/quarkus-config-doc/quarkus-config-model.json"));
        assertTrue(models.size() > 10, "configuration models on the class path: " + models.size());
        for (URL model : models) {
            try (InputStream in = model.openStream()) {
                forEachProperty(JSON.readTree(in), property -> {
                    if ("RUN_TIME".equals(property.path("phase").asText())) {
                        names.add(property.path("path").path("environmentVariable").asText());
                    }
                });
            }
        }
        // Keepsake's own: its configuration mapping, the settings read before Quarkus starts, and
        // the variables application.properties refers to.
        ConfigMappings.getProperties(ConfigMappings.ConfigClass.configClass(KeepsakeConfig.class, "keepsake"))
                .keySet().forEach(property -> names.add(environmentName(property)));
        KeepsakeMain.SETTINGS.forEach(property -> names.add(environmentName(property)));
        Matcher references = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)")
                .matcher(Files.readString(Path.of("src/main/resources/application.properties")));
        while (references.find()) {
            names.add(references.group(1));
        }
        return names;
    }

    private static void forEachProperty(JsonNode node, Consumer<JsonNode> action) {
        if (node.isObject() && node.path("@class").asText().endsWith(".ConfigProperty")) {
            action.accept(node);
        }
        node.forEach(child -> forEachProperty(child, action));
    }

    /** The environment variable form of a property name, as MicroProfile Config maps it. */
    private static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    /** Every environment variable the compose file, the manifests and the Dockerfiles set, with its file. */
    private static Map<String, String> environmentSetByDeployFiles() throws IOException {
        Map<String, String> set = new LinkedHashMap<>();
        for (JsonNode service : documents(DEPLOY.resolve("compose.yaml")).get(0).path("services")) {
            JsonNode environment = service.path("environment");
            if (environment.isArray()) {
                environment.forEach(entry -> set.put(entry.asText().split("=", 2)[0], "compose.yaml"));
            } else {
                environment.fieldNames().forEachRemaining(name -> set.put(name, "compose.yaml"));
            }
        }
        for (Path file : yamlFiles(KUBERNETES)) {
            String where = "kubernetes/" + file.getFileName();
            for (JsonNode document : documents(file)) {
                switch (document.path("kind").asText()) {
                    case "ConfigMap" -> document.path("data").fieldNames().forEachRemaining(name -> set.put(name, where));
                    case "Secret" -> {
                        document.path("stringData").fieldNames().forEachRemaining(name -> set.put(name, where));
                        document.path("data").fieldNames().forEachRemaining(name -> set.put(name, where));
                    }
                    case "Deployment" -> document.path("spec").path("template").path("spec").path("containers")
                            .forEach(container -> container.path("env")
                                    .forEach(env -> set.put(env.path("name").asText(), where)));
                    default -> {
                    }
                }
            }
        }
        Pattern env = Pattern.compile("^ENV (\\w+)=", Pattern.MULTILINE);
        for (String dockerfile : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            Matcher matcher = env.matcher(Files.readString(DOCKER.resolve(dockerfile)));
            while (matcher.find()) {
                set.put(matcher.group(1), dockerfile);
            }
        }
        return set;
    }

    private static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        return properties;
    }

    private static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(path -> path.toString().endsWith(".yaml") || path.toString().endsWith(".yml"))
                    .sorted().toList();
        }
    }

    /** The YAML documents of a file, read with SnakeYAML, which resolves anchors and merge keys as compose does. */
    private static List<JsonNode> documents(Path file) {
        try (var reader = Files.newBufferedReader(file)) {
            List<JsonNode> documents = new ArrayList<>();
            new Yaml().loadAll(reader).forEach(document -> documents.add(JSON.valueToTree(document)));
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }
}
