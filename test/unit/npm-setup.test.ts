// `npm ci` at the root installs without forcing and without warnings: no force outside tools/bun-runtimes, and
// every installed package with an install script is reviewed in allowScripts (npm 11 warns of the others;
// npm 12 will skip their scripts).
import { expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = process.cwd();
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

test("force is confined to tools/bun-runtimes", () => {
  const rootNpmrc = join(root, ".npmrc");
  if (existsSync(rootNpmrc)) expect(readFileSync(rootNpmrc, "utf8")).not.toMatch(/^\s*force\s*=\s*true/m);
  expect(readFileSync(join(root, "tools", "bun-runtimes", ".npmrc"), "utf8")).toMatch(/^force=true$/m);
  const pkg = readJson(join(root, "package.json")) as { devDependencies: Record<string, string>; scripts: Record<string, string> };
  expect(Object.keys(pkg.devDependencies).filter((name) => name.startsWith("bun-runtime-"))).toEqual([]);
  expect(pkg.scripts.postinstall).toStartWith("npm ci --prefix tools/bun-runtimes");
});

test("every installed package with an install script is reviewed in allowScripts", () => {
  const allow = (readJson(join(root, "package.json")).allowScripts ?? {}) as Record<string, boolean>;
  const modules = join(root, "node_modules");
  const names = readdirSync(modules).flatMap((entry) =>
    entry.startsWith("@") ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`) : entry.startsWith(".") ? [] : [entry],
  );
  const withScripts = names.filter((name) => {
    const manifest = join(modules, name, "package.json");
    if (!existsSync(manifest)) return false;
    const scripts = (readJson(manifest).scripts ?? {}) as Record<string, string>;
    return ["preinstall", "install", "postinstall"].some((hook) => hook in scripts);
  });
  expect(withScripts.sort()).toEqual(["bun", "deno"]);
  for (const name of withScripts) expect(allow[name]).toBe(true);
});
