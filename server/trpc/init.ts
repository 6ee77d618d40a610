import { initTRPC } from "@trpc/server";
import { ZodError, z } from "zod";
import type { Context } from "./context.ts";

const t = initTRPC.context<Context>().create({
  sse: {
    ping: { enabled: true, intervalMs: 15_000 },
    client: { reconnectAfterInactivityMs: 20_000 },
  },
  errorFormatter({ shape, error }) {
    const internal = shape.data.httpStatus >= 500;
    return {
      ...shape,
      // Internals of server errors stay in the log; the client gets a stable, readable message.
      message: internal ? "Internal server error" : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;
