import { expect, test } from "bun:test";
import { REDACTED, Secrets, redact } from "../../src/redact.ts";

const key = "0123456789abcdef".repeat(4);

test("a secret is redacted however an echo spells it: verbatim, upper-case, \\u-escaped, %-encoded, or mixed", () => {
  const jsonEscaped = [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
  const spellings = [key, key.toUpperCase(), jsonEscaped, jsonEscaped.toUpperCase().replaceAll("\\U", "\\u"), encodeURIComponent(key).replace(/./g, (c) => `%${c.charCodeAt(0).toString(16)}`), `${key.slice(0, 10)}\\u0061${key.slice(11)}`];
  const secrets = new Secrets([key]);
  for (const spelling of spellings) {
    expect(secrets.redact(`detail: {"encryption_key":"${spelling}"}`)).toBe(`detail: {"encryption_key":"${REDACTED}"}`);
    expect(redact(`x ${spelling} y`, [key])).toBe(`x ${REDACTED} y`);
  }
});

test("tokens with characters that mean something in a pattern; short values and other text are left alone", () => {
  const token = "a.b*c+d?(e)[f]{g}|h^$\\i";
  expect(new Secrets([token]).redact(`Bearer ${token}!`)).toBe(`Bearer ${REDACTED}!`);
  expect(new Secrets([token]).redact("Bearer aXbYc")).toBe("Bearer aXbYc");
  expect(new Secrets(["abc", undefined, ""]).redact("abc abc")).toBe("abc abc");
});
