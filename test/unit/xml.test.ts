import { expect, test } from "bun:test";
import { decodeXml, escapeXml, xmlElement } from "../../src/s3/xml.ts";

test("decodeXml: the named entities, decimal and hex references, each decoded once", () => {
  expect(decodeXml("a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;")).toBe(`a&b <c> "d" 'e'`);
  expect(decodeXml("&#233;t&#xE9; &#x1F600;")).toBe("été 😀");
  // Decoded once: an escaped entity stays an entity.
  expect(decodeXml("&amp;lt; &amp;#38; &amp;amp;")).toBe("&lt; &#38; &amp;");
  expect(decodeXml("no entities & a stray ampersand")).toBe("no entities & a stray ampersand");
});

test("xmlElement reads the first element's text, decoded; escapeXml is its inverse for text", () => {
  const body = "<ListMultipartUploadsResult><Upload><Key>dev/a&amp;b&#x20;c.enc</Key></Upload><Key>second</Key></ListMultipartUploadsResult>";
  expect(xmlElement(body, "Key")).toBe("dev/a&b c.enc");
  expect(xmlElement(body, "Missing")).toBe("");
  const text = 'a<b>&"c"';
  expect(decodeXml(escapeXml(text))).toBe(text);
});
