import { z } from "zod";
import { ZConnectedRuntime } from "@shared/schemas/runtimes.ts";
import { orgProcedure, parseSync, router } from "../../trpc/init.ts";
import { listConnectedRuntimes } from "./service.ts";

export const runtimesRouter = router({
  list: orgProcedure("viewer")
    .output(parseSync(z.array(ZConnectedRuntime)))
    .query(({ ctx }) => listConnectedRuntimes(ctx.deps, ctx.org.id)),
});
