// A last line of defence for secrets: any text printed passes through here with every secret the process
// knows about (the S3 secret, the admin token, the artifact's key once it exists), in case a server echoed
// one back in an error: FastAPI's 422 answers, for one, repeat the whole request body. An echo need not be
// verbatim: a JSON encoder may write any character as \uXXXX, a URL as %XX, and hex may come back upper-case,
// so each secret is matched in all of these spellings, letter case aside.

export const REDACTED = "[redacted]";

const SPECIAL = /[.*+?^${}()|[\]\\]/g;

/** One character, as itself or as its \uXXXX or %XX escape. */
function anySpelling(char: string): string {
  const code = char.charCodeAt(0).toString(16).padStart(4, "0");
  const spellings = [char.replace(SPECIAL, "\\$&"), `\\\\u${code}`];
  if (code.startsWith("00")) spellings.push(`%${code.slice(2)}`);
  return `(?:${spellings.join("|")})`;
}

/** A pattern for every spelling of `secret`; undefined for one too short to redact without blanking out words. */
function patternFor(secret: string | undefined): RegExp | undefined {
  // Very short "secrets" would blank out ordinary words; real keys and tokens are longer.
  if (!secret || secret.length < 6) return undefined;
  return new RegExp([...secret].map(anySpelling).join(""), "gi");
}

export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    const pattern = patternFor(secret);
    if (pattern) out = out.replace(pattern, REDACTED);
  }
  return out;
}

/** The secrets of one run: those of the environment from the start, the encryption key once it is made. */
export class Secrets {
  readonly #patterns = new Map<string, RegExp>();

  constructor(initial: Iterable<string | undefined> = []) {
    for (const value of initial) this.add(value);
  }

  add(value: string | undefined): void {
    const pattern = patternFor(value);
    if (value && pattern) this.#patterns.set(value, pattern);
  }

  redact(text: string): string {
    let out = text;
    for (const pattern of this.#patterns.values()) out = out.replace(pattern, REDACTED);
    return out;
  }
}
