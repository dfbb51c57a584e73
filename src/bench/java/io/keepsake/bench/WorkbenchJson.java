package io.keepsake.bench;

import java.util.Random;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.keepsake.hashing.CanonicalJson;

/**
 * Synthetic workbench states of a given canonical size, seeded so every run hashes the same bytes.
 * <ul>
 * <li>{@code typical}: shaped like the original workbench's module state: dashboards of modules,
 * each with settings (a serialized provider tree carried as a JSON string, map extent as
 * [min, max] pairs, identifiers), view state (camera in full precision, colour scale stops,
 * selected realizations) and free text with accents and emoji.</li>
 * <li>{@code numeric}: the worst case for canonicalisation: arrays of full-precision coordinates,
 * where every number needs the general shortest-digits algorithm.</li>
 * </ul>
 */
final class WorkbenchJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[] MODULES = {"2DViewer", "3DViewer", "WellCompletions", "SimulationTimeSeries",
        "InplaceVolumetrics", "Intersection", "DistributionPlot", "ParameterCorrelation"};

    private WorkbenchJson() {
    }

    static ObjectNode ofCanonicalSize(String mix, int targetBytes) {
        Random random = new Random(42);
        ObjectNode root = F.objectNode();
        root.put("version", 3).put("activeDashboardId", "dash-0").put("name", "Field development — Q3 review");
        ArrayNode dashboards = root.putArray("dashboards");
        int moduleNo = 0;
        int size = 0;
        while (size < targetBytes - 20_000) {
            ObjectNode dashboard = dashboards.addObject();
            dashboard.put("id", "dash-" + dashboards.size()).put("name", "Dashboard " + dashboards.size());
            ArrayNode modules = dashboard.putArray("moduleInstances");
            for (int m = 0; m < 6; m++) {
                modules.add(mix.equals("numeric") ? numericModule(random, moduleNo++) : module(random, moduleNo++));
            }
            size = CanonicalJson.of(root).length();
        }
        return root;
    }

    /** A typical workbench state of at least {@code targetBytes} canonical bytes (a module more, at most). */
    static ObjectNode atLeast(int targetBytes) {
        Random random = new Random(7);
        ObjectNode root = F.objectNode();
        root.put("version", 3).put("activeDashboardId", "dash-0").put("name", "Field development — Q3 review");
        ArrayNode modules = root.putArray("dashboards").addObject().put("id", "dash-0").putArray("moduleInstances");
        int moduleNo = 0;
        while (CanonicalJson.of(root).length() < targetBytes) {
            for (int i = 0; i < Math.max(1, targetBytes / 40_000); i++) {
                modules.add(module(random, moduleNo++));
            }
        }
        return root;
    }

    private static ObjectNode module(Random random, int no) {
        ObjectNode module = F.objectNode();
        module.put("id", "module-" + no).put("name", MODULES[no % MODULES.length])
                .put("title", "Modul nº " + no + " – sättningar").put("visible", random.nextBoolean());
        ObjectNode layout = module.putObject("layout");
        layout.put("x", random.nextInt(12)).put("y", random.nextInt(40))
                .put("width", random.nextInt(100) / 100.0).put("height", random.nextInt(100) / 100.0);
        ObjectNode settings = module.putObject("settings");
        settings.put("fieldIdentifier", "DROGON").put("ensembleIdent", "iter-" + random.nextInt(4))
                .put("realizationNum", random.nextInt(200)).put("preferredViewLayout", "HORIZONTAL")
                .putNull("selectedWell");
        ObjectNode extent = settings.putObject("mapExtent");
        extent.putArray("x").add(456000 + random.nextDouble() * 10000).add(466000 + random.nextDouble() * 10000);
        extent.putArray("y").add(5930000 + random.nextDouble() * 10000).add(5940000 + random.nextDouble() * 10000);
        settings.put("dataProviderData", providerTree(random, no).toString());
        ObjectNode view = module.putObject("view");
        ArrayNode camera = view.putArray("camera");
        for (int i = 0; i < 6; i++) {
            camera.add(random.nextGaussian() * 1000);
        }
        view.put("zoom", random.nextInt(2000) / 100.0);
        ArrayNode stops = view.putArray("colorStops");
        for (int i = 0; i < 12; i++) {
            stops.addObject().put("position", i / 11.0 > 1 ? 1 : Math.round(i * 1000 / 11.0) / 1000.0)
                    .put("color", String.format("#%06x", random.nextInt(0xffffff)));
        }
        ArrayNode realizations = view.putArray("selectedRealizations");
        for (int i = 0; i < 40; i++) {
            realizations.add(random.nextInt(200));
        }
        view.put("annotation", "Ørnen-brønn æøå 📈 note " + no + "\nline two: \"quoted\" \\ path");
        return module;
    }

    private static ObjectNode providerTree(Random random, int no) {
        ObjectNode tree = F.objectNode().put("id", "provider-" + no).put("expanded", true);
        ArrayNode children = tree.putArray("children");
        for (int i = 0; i < 8; i++) {
            children.addObject().put("id", "layer-" + no + "-" + i).put("type", "REALIZATION_SURFACE")
                    .put("name", "Top Valysar " + i).put("visible", random.nextBoolean())
                    .put("opacity", random.nextInt(100) / 100.0).put("colorScale", "Continuous/Viridis")
                    .put("attribute", "depth").put("timeOrInterval", "2018-01-01T00:00:00/2020-07-01T00:00:00");
        }
        return tree;
    }

    private static ObjectNode numericModule(Random random, int no) {
        ObjectNode module = F.objectNode().put("id", "module-" + no).put("name", MODULES[no % MODULES.length]);
        ArrayNode x = module.putArray("x");
        ArrayNode y = module.putArray("y");
        for (int i = 0; i < 200; i++) {
            x.add(456000 + random.nextDouble() * 10000);
            y.add(5930000 + random.nextDouble() * 10000);
        }
        return module;
    }
}
