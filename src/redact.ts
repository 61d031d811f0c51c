// A last line of defence for secrets: any text printed passes through here with every secret the process
// knows about, in case a server echoed one back in an error.

export const REDACTED = "[redacted]";

export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "secrets" would blank out ordinary words; real keys and tokens are longer.
    if (secret && secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  return out;
}
