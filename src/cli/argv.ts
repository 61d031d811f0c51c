// cac (through mri) turns every numeric-looking value into a number before any option type applies:
// `--version 1.10` would arrive as "1.1", `007` as "7", `0x1f` as "31". A version must stay the string the
// user typed, since it becomes part of the object key. So the values of value-taking flags are marked before
// cac sees them (a marked value is not numeric) and unmarked by the option's type function.

const MARK = "\u0000";

/** Mark the value of every `--name value` and `--name=value` whose name is in `valueFlags`, and every "-". */
export function markFlagValues(argv: readonly string[], valueFlags: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const inline = /^--([^=]+)=([\s\S]*)$/.exec(arg);
    if (inline && valueFlags.has(inline[1] as string)) {
      out.push(`--${inline[1]}=${MARK}${inline[2]}`);
      continue;
    }
    if (arg === "-") {
      // "-" (stdin or stdout) is a value, never a flag: mri would read it as one.
      out.push(MARK + arg);
      continue;
    }
    out.push(arg);
    const next = argv[i + 1];
    // The next word is the value unless it is another long flag: `--version -1` gives "-1".
    if (arg.startsWith("--") && valueFlags.has(arg.slice(2)) && next !== undefined && !/^--./.test(next) && next !== "-h") {
      out.push(MARK + next);
      i++;
    }
  }
  return out;
}

/** The option type for marked flags: the exact text typed, or `true` when the flag had no value. */
export function unmark(value: unknown): unknown {
  return typeof value === "string" && value.startsWith(MARK) ? value.slice(MARK.length) : value;
}
