// S3 answers in small, flat XML documents; these read the few elements we need from them.

const NAMED: Record<string, string> = { quot: '"', apos: "'", lt: "<", gt: ">", amp: "&" };

/** XML's five named entities and numeric references, decimal and hex, in one pass (so `&amp;lt;` stays `&lt;`). */
export function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|quot|apos|lt|gt|amp);/g, (_, entity: string) => {
    if (!entity.startsWith("#")) return NAMED[entity] as string;
    return String.fromCodePoint(entity[1] === "x" ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
  });
}

/** The text of the first `<name>` element, or "" when there is none. */
export function xmlElement(xml: string, name: string): string {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match?.[1] === undefined ? "" : decodeXml(match[1]);
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
