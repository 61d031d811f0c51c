// Which runtime runs this code: a Bun runtime (the compiled binary, or `bun`) or Deno. Some things Bun gives at
// once need a permission under Deno, and a read without one stops a run on a terminal at a permission prompt
// (measured): what only Bun needs, or only Bun can give without asking, is done under Bun alone.
export const UNDER_BUN = (globalThis as { Bun?: unknown }).Bun !== undefined;
