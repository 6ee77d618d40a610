/** What one `POST /api/v1/ingest` may carry; apart from the schemas so the SDK reads them without bundling zod. */
export const INGEST_MAX_ITEMS = 1000;
export const INGEST_MAX_BYTES = 5 * 1024 * 1024;
