import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../../server/trpc/router.ts";

export type AppClientError = TRPCClientError<AppRouter>;

export function isAppClientError(error: unknown): error is AppClientError {
  return error instanceof TRPCClientError;
}

/** The HTTP status a failed call answered with, or null when it never reached the server. */
export function errorStatus(error: unknown): number | null {
  return isAppClientError(error) ? (error.data?.httpStatus ?? null) : null;
}

/**
 * A message fit to show beside a form: the first field error of a rejected input (the raw message is then a JSON
 * dump of issues), otherwise the server's own message, which is already written for people.
 */
export function errorMessage(error: unknown): string {
  if (!error) return "";
  if (isAppClientError(error)) {
    const zod = error.data?.zodError;
    if (zod) {
      const fieldErrors = Object.values(zod.fieldErrors as Record<string, string[] | undefined>).flat();
      const first = zod.formErrors[0] ?? fieldErrors[0];
      if (first) return first;
    }
    if (error.message === "Failed to fetch")
      return "Can’t reach the Echos server. Check your connection and try again.";
    return error.message;
  }
  return error instanceof Error ? error.message : "Something went wrong";
}
