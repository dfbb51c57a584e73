package io.keepsake.bench;

import java.util.Random;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.keepsake.hashing.CanonicalJson;

/**
 * Synthetic but realistic workbench state: dashboards of modules, each with settings and view
 * state, map extents and curves as floating-point arrays, identifiers, free text with accents,
 * and serialized sub-states carried as JSON strings (as the original workbench does).
 */
final class WorkbenchJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[] MODULES = {"2DViewer", "3DViewer", "WellCompletions", "SimulationTimeSeries",
        "InplaceVolumetrics", "Intersection", "DistributionPlot", "ParameterCorrelation"};

    private WorkbenchJson() {
    }

    /** A workbench state whose canonical form is as close to {@code targetBytes} as the generator gets. */
    static ObjectNode ofCanonicalSize(int targetBytes) {
        Random random = new Random(42);
        ObjectNode root = F.objectNode();
        root.put("version", 3).put("activeDashboardId", "dash-0").put("name", "Field development — Q3 review");
        ArrayNode dashboards = root.putArray("dashboards");
        int moduleNo = 0;
        while (CanonicalJson.of(root).length() < targetBytes - 40_000) {
            ObjectNode dashboard = dashboards.addObject();
            dashboard.put("id", "dash-" + dashboards.size()).put("name", "Dashboard " + dashboards.size());
            ArrayNode modules = dashboard.putArray("moduleInstances");
            for (int m = 0; m < 6; m++) {
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
        layout.put("x", random.nextInt(12)).put("y", random.nextInt(40)).put("width", 0.25 + random.nextDouble() / 2)
                .put("height", 0.1 + random.nextDouble());
        ObjectNode settings = module.putObject("settings");
        settings.put("fieldIdentifier", "DROGON").put("ensembleIdent", "iter-" + random.nextInt(4))
                .put("realizationNum", random.nextInt(200)).putNull("selectedWell");
        ObjectNode extent = settings.putObject("mapExtent");
        ArrayNode x = extent.putArray("x");
        ArrayNode y = extent.putArray("y");
        for (int i = 0; i < 40; i++) {
            x.add(456000 + random.nextDouble() * 10000);
            y.add(5930000 + random.nextDouble() * 10000);
        }
        ArrayNode layers = settings.putArray("layers");
        for (int i = 0; i < 4; i++) {
            ObjectNode layer = layers.addObject();
            layer.put("type", "SURFACE").put("name", "Top Valysar " + i).put("opacity", random.nextFloat())
                    .put("colorScale", "Continuous/Viridis").put("attribute", "depth_" + i);
            ArrayNode curve = layer.putArray("values");
            for (int j = 0; j < 60; j++) {
                curve.add(Math.round(random.nextGaussian() * 1e6) / 1e3);
            }
        }
        // Sub-state serialized to a string, with the escaping that implies.
        ObjectNode provider = F.objectNode();
        provider.put("id", "provider-" + no).put("expanded", true).putArray("children").add("a").add("b\"quoted\"");
        settings.put("dataProviderData", provider.toString());
        ObjectNode view = module.putObject("view");
        view.put("zoom", random.nextDouble() * 20).put("cameraPosition", "[" + random.nextDouble() + "]")
                .put("annotation", "Ørnen-brønn \u00e6\u00f8\u00e5 \uD83D\uDCC8 line\nbreak");
        return module;
    }
}
