import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { systemRouter } from "../modules/system/router.ts";
import { createCallerFactory, router } from "./init.ts";

export const appRouter = router({
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export const createCaller = createCallerFactory(appRouter);
