// The flag a mistyped one most likely meant: `--resource_name` → `--resource-name`, `--dev-stgae` → `--dev-stage`.
// Said first, since a mistyped required flag also makes a "required" line, which the suggestion answers.

/** The known flag name `typed` (without its dashes) most likely meant, or undefined when none is close. */
export function nearestFlag(typed: string, known: readonly string[]): string | undefined {
  const normal = typed.toLowerCase().replace(/_/g, "-");
  if (known.includes(normal)) return normal;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(normal, name);
    if (distance < (best?.distance ?? Infinity)) best = { name, distance };
  }
  // Two edits at most, and fewer than a third of the name: "--port" is not "--part-size".
  return best !== undefined && best.distance <= 2 && best.distance * 3 < best.name.length ? best.name : undefined;
}

/** Levenshtein distance, with a swap of neighbours counted as one edit (the commonest typo). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((rows[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
