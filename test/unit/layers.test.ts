// The folders of src/ are layers, and data flows one way: a module imports only from its own layer or the
// layers below it (the table), commands never import commands, and no import chain comes back to where it
// started. Read from the source text, so a violation fails here before a reviewer has to spot it.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "..", "..", "src");

/** What each layer may import besides itself. "shared" is the modules at the top of src/. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  shared: [],
  bytes: [],
  http: ["shared"],
  pipeline: ["shared", "bytes"],
  s3: ["shared", "bytes", "http"],
  admin: ["shared", "http"],
  records: ["shared", "admin"],
  config: ["shared", "http", "pipeline", "s3", "records"],
  commands: ["shared", "bytes", "http", "pipeline", "s3", "admin", "records", "config"],
  cli: ["shared", "bytes", "http", "pipeline", "s3", "admin", "records", "config", "commands"],
  main: ["cli"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

function layerOf(file: string): string {
  const path = relative(SRC, file);
  if (path === "main.ts") return "main";
  return path.includes("/") ? (path.split("/")[0] as string) : "shared";
}

/** Every relative import of a file (static, dynamic and type-only), as absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+\.ts)"/g)].map((m) => resolve(dirname(file), m[1] as string));
}

function layerViolations(imports: ReadonlyMap<string, readonly string[]>): string[] {
  return [...imports].flatMap(([file, targets]) =>
    targets
      .filter((target) => target.startsWith(SRC))
      .filter((target) => layerOf(target) !== layerOf(file) && !(MAY_IMPORT[layerOf(file)] ?? []).includes(layerOf(target)))
      .map((target) => `${relative(SRC, file)} imports ${relative(SRC, target)}`),
  );
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe("the layers of src/", () => {
  test("every folder is a known layer", () => {
    expect([...new Set(files.map(layerOf))].filter((layer) => !(layer in MAY_IMPORT))).toEqual([]);
  });

  test("a module imports only from its own layer and those the table allows", () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  test("commands do not import other commands", () => {
    const wrong = files
      .filter((file) => layerOf(file) === "commands")
      .flatMap((file) => (graph.get(file) ?? []).filter((t) => layerOf(t) === "commands").map((t) => `${relative(SRC, file)} imports ${relative(SRC, t)}`));
    expect(wrong).toEqual([]);
  });

  test("the deflate machinery has one door: outside pipeline/deflate/, only its gzip.ts is imported", () => {
    const room = join(SRC, "pipeline", "deflate");
    const door = join(room, "gzip.ts");
    const wrong = files
      .filter((file) => !file.startsWith(`${room}/`))
      .flatMap((file) => (graph.get(file) ?? []).filter((t) => t.startsWith(`${room}/`) && t !== door).map((t) => `${relative(SRC, file)} imports ${relative(SRC, t)}`));
    expect(wrong).toEqual([]);
    // The rule sees the door's users.
    expect(graph.get(join(SRC, "pipeline", "encrypted-artifact.ts"))).toContain(door);
  });

  test("no import cycle", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(" → "));
        return;
      }
      state.set(file, "open");
      for (const target of graph.get(file) ?? []) if (graph.has(target)) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  test("the checks see what they check: imports are read, and an upward import is reported", () => {
    // A check that parsed nothing would find nothing, and pass.
    const admin = graph.get(join(SRC, "admin", "register-artifact.ts")) ?? [];
    expect(admin.map((f) => relative(SRC, f))).toContain("http/retry.ts");
    const upward = new Map([[join(SRC, "s3", "client.ts"), [join(SRC, "config", "load-config.ts")]]]);
    expect(layerViolations(upward)).toEqual(["s3/client.ts imports config/load-config.ts"]);
  });
});
