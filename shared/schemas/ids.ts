import { z } from "zod";

/**
 * Control characters (U+0000–U+001F, U+007F) never belong in an id; PostgreSQL refuses NUL in text outright, so
 * without this check such an id reached the database and came back as a server error instead of a bad request.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** An id read from a path or an input: present, bounded, and free of control characters. */
export const recordId = (max = 128) =>
  z
    .string()
    .min(1, "id must not be empty")
    .max(max, `id must be at most ${max} characters`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), "id must not contain control characters");

/** Run, span and replay ids (as ingest accepts them, up to 128 characters). */
export const ZRecordId = recordId();
