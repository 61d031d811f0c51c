/**
 * The one function every request goes through: the global fetch, or a stand-in given by a test or a caller
 * that routes requests elsewhere.
 */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;
