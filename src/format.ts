// Sizes, durations and text for people.

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/**
 * Characters that would act on a terminal or a log instead of showing: C0 controls (ESC, CR, BS, ...) but the
 * line feed, DEL, C1 controls, the Unicode line separators and the bidirectional overrides. A name or path
 * read from a file, or an answer from a server, could otherwise forge output lines or colours.
 */
// deno-lint-ignore no-control-regex
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every such character written as its \uXXXX escape (\u001b for ESC); line feeds kept. The same
 * escape in a JSON string is JSON's own, so a --json line stays valid JSON.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Whether `text` holds a line feed or any character that printable() escapes. */
export function hasUnprintable(text: string): boolean {
  return text.includes("\n") || printable(text) !== text;
}
