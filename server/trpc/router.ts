import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { apiKeysRouter } from "../modules/api-keys/router.ts";
import { auditRouter } from "../modules/audit/router.ts";
import { authRouter } from "../modules/auth/router.ts";
import { conversationsRouter } from "../modules/conversations/router.ts";
import { credentialsRouter } from "../modules/credentials/router.ts";
import { orgsRouter } from "../modules/orgs/router.ts";
import { modelPricesRouter } from "../modules/pricing/router.ts";
import { replaysRouter } from "../modules/replay/router.ts";
import { runsRouter } from "../modules/runs/router.ts";
import { runtimesRouter } from "../modules/runtimes/router.ts";
import { sampleDataRouter } from "../modules/sample-data/router.ts";
import { systemRouter } from "../modules/system/router.ts";
import { usageRouter } from "../modules/usage/router.ts";
import { workflowsRouter } from "../modules/workflows/router.ts";
import { createCallerFactory, router } from "./init.ts";

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  orgs: orgsRouter,
  apiKeys: apiKeysRouter,
  credentials: credentialsRouter,
  modelPrices: modelPricesRouter,
  audit: auditRouter,
  runs: runsRouter,
  conversations: conversationsRouter,
  replays: replaysRouter,
  runtimes: runtimesRouter,
  usage: usageRouter,
  workflows: workflowsRouter,
  sampleData: sampleDataRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export const createCaller = createCallerFactory(appRouter);
