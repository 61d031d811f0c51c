// A last line of defence for secrets: any text printed passes through here with every secret the process
// knows about (the S3 secret, the admin token, the artifact's key once it exists), in case a server echoed
// one back in an error: FastAPI's 422 answers, for one, repeat the whole request body.

export const REDACTED = "[redacted]";

export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "secrets" would blank out ordinary words; real keys and tokens are longer.
    if (secret && secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** The secrets of one run: those of the environment from the start, the encryption key once it is made. */
export class Secrets {
  readonly #values = new Set<string>();

  constructor(initial: Iterable<string | undefined> = []) {
    for (const value of initial) this.add(value);
  }

  add(value: string | undefined): void {
    if (value) this.#values.add(value);
  }

  redact(text: string): string {
    return redact(text, this.#values);
  }
}
