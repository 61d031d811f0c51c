// The read-only checks a publish makes before it reads the artifact, and that --dry-run reports: a wrong admin
// URL, wrong S3 credentials or a missing bucket must cost seconds, not the whole upload first. The S3 check is
// s3/objects.ts's objectExists: one signed read that also tells what is at the key.
import { AdminUnreachableError } from "../errors.ts";
import { DEFAULT_RETRY_POLICY, noAnswerOf, withRetry, type RetryPolicy } from "../http/retry.ts";
import type { Fetch } from "../http/fetch.ts";

/**
 * The admin API answers at all: an unauthenticated HEAD to the publish URL, where any HTTP status counts (a
 * 405 or 401 is an answer). No token is sent. Throws an UploadError naming host and cause when nothing answers.
 */
export async function checkAdminReachable(
  publishUrl: string,
  options: { fetch?: Fetch; signal?: AbortSignal; retry?: RetryPolicy } = {},
): Promise<number> {
  const url = new URL(publishUrl);
  return await withRetry(
    async (signal) => {
      try {
        const response = await (options.fetch ?? fetch)(publishUrl, { method: "HEAD", redirect: "manual", signal });
        await response.body?.cancel();
        return response.status;
      } catch (error) {
        throw new AdminUnreachableError(noAnswerOf(error, signal, url), { cause: error });
      }
    },
    {
      // A host that never answered gets the few attempts of a silent server; an untrusted certificate none.
      policy: { ...(options.retry ?? DEFAULT_RETRY_POLICY), attempts: (options.retry ?? DEFAULT_RETRY_POLICY).silentAttempts },
      isRetryable: (error) => error instanceof AdminUnreachableError && !error.noAnswer.permanent,
      quiet: () => true,
      signal: options.signal,
    },
  );
}

/**
 * What a 404 to that HEAD says: nothing is at the publish URL, most often because ADMIN_API_URL was given with a
 * path of its own. Not a refusal in a publish, only in a dry run: some frameworks (Express) answer 404 to a HEAD
 * of a route that only takes POST.
 */
export function noRouteLine(publishUrl: string, adminUrl: string): string {
  return `the admin API answers HTTP 404 at ${publishUrl} (ADMIN_API_URL ${adminUrl} and the publish path): ADMIN_API_URL must be the API's base URL`;
}
