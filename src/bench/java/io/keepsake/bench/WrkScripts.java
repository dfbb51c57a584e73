package io.keepsake.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The HTTP benchmark's wrk scripts (Lua), written under a directory; every request is alice's. */
final class WrkScripts {

    private final Path dir;

    WrkScripts(Path dir) {
        this.dir = dir;
    }

    /** A wrk script: GET with auth (and If-None-Match), or a fixed body with the given method. */
    String fixed(String name, String method, byte[] body, String ifNoneMatch) throws IOException {
        StringBuilder lua = new StringBuilder();
        lua.append("wrk.headers[\"Authorization\"] = \"").append(HttpBenchmark.AUTH).append("\"\n");
        if (ifNoneMatch != null) {
            lua.append("wrk.headers[\"If-None-Match\"] = ").append(luaString(ifNoneMatch)).append('\n');
        }
        if (method != null) {
            lua.append("wrk.method = \"").append(method).append("\"\n")
                    .append("wrk.headers[\"Content-Type\"] = \"application/json\"\n")
                    .append("wrk.body = ").append(luaString(new String(body, StandardCharsets.UTF_8))).append('\n');
        }
        Path file = dir.resolve(name + "-" + Integer.toHexString(lua.toString().hashCode()) + ".lua");
        Files.writeString(file, lua);
        return file.toString();
    }

    /**
     * PUT with If-Match, a different body each time, to a pool of sessions each thread keeps apart:
     * a session is written again only once its previous answer (and ETag) came back. Each wrk run
     * (warm-up, then measured) starts with If-Match: * for each session, then sends the ETag each
     * answer gave.
     */
    String put(String content, List<String> sessions) throws IOException {
        String lua = """
                local auth = %s
                local state = %s
                local pool = %s
                local threads = 0
                function setup(thread)
                  thread:set("index", threads)
                  threads = threads + 1
                end
                local free, etags, any = {}, {}, nil
                local counter = 0
                function init(args)
                  local total = tonumber(args[1])
                  for i, entry in ipairs(pool) do
                    if (i - 1) %% total == index then
                      local id, etag = entry:match("^([^=]+)=(.+)$")
                      etags[id] = etag
                      table.insert(free, id)
                      any = any or id
                    end
                  end
                end
                function request()
                  local id = table.remove(free, 1) or any
                  counter = counter + 1
                  local body = '{"title":"bench","description":"load","content":{"n":' .. counter .. ',"state":' .. state .. '}}'
                  return wrk.format("PUT", "/persistence/sessions/" .. id, {["Authorization"] = auth,
                    ["Content-Type"] = "application/json", ["If-Match"] = etags[id]}, body)
                end
                function response(status, headers, body)
                  local id = body:match('"id":"([^"]+)"') or body:match('/persistence/sessions/([%%w_-]+)')
                  if id ~= nil and etags[id] ~= nil then
                    etags[id] = headers["ETag"] or headers["etag"] or etags[id]
                    table.insert(free, id)
                  end
                end
                """.formatted(luaString(HttpBenchmark.AUTH), luaString(content),
                "{" + String.join(",", sessions.stream().map(WrkScripts::luaString).toList()) + "}");
        Path file = dir.resolve("put-" + content.length() + ".lua");
        Files.writeString(file, lua);
        return file.toString();
    }

    private static String luaString(String text) {
        int level = 0;
        while (text.contains("]" + "=".repeat(level) + "]")) {
            level++;
        }
        String eq = "=".repeat(level);
        return "[" + eq + "[" + text + "]" + eq + "]";
    }
}
