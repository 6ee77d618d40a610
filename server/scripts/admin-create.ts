// npm run admin:create -- --email admin@example.com --password '…' [--name "Ada"]
// Creates (or promotes) an account as owner of the first organisation, creating that organisation if needed.
import { parseArgs } from "node:util";
import { asc, eq } from "drizzle-orm";
import { memberships, orgs, users } from "../../db/schema.ts";
import { ZEmail, ZPassword } from "@shared/schemas/identity.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { createDatabase } from "../infra/db.ts";
import { normaliseEmail } from "../lib/email-address.ts";
import { hashPassword } from "../modules/auth/password.ts";

const { values } = parseArgs({
  options: {
    email: { type: "string" },
    password: { type: "string" },
    name: { type: "string" },
    org: { type: "string" },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const email = ZEmail.safeParse(values.email);
const password = ZPassword.safeParse(values.password);
if (!email.success || !password.success) {
  fail(
    "Usage: npm run admin:create -- --email you@example.com --password '<8 to 128 characters>' [--name 'Your Name'] [--org 'Organisation']",
  );
}

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) fail(error.problems.map((p) => `Configuration error: ${p}`).join("\n"));
  throw error;
}
const database = await createDatabase(config);
await database.migrate();
const address = normaliseEmail(email.data);
const passwordHash = await hashPassword(password.data);
const result = await database.db.transaction(async (tx) => {
  const [existing] = await tx.select().from(users).where(eq(users.email, address)).limit(1);
  const user =
    existing ??
    (
      await tx
        .insert(users)
        .values({ email: address, name: values.name ?? address.split("@")[0]!, passwordHash })
        .returning()
    )[0]!;
  if (existing) await tx.update(users).set({ passwordHash }).where(eq(users.id, existing.id));
  const [firstOrg] = await tx.select().from(orgs).orderBy(asc(orgs.createdAt)).limit(1);
  const org =
    firstOrg ??
    (
      await tx
        .insert(orgs)
        .values({ name: values.org ?? "Echos" })
        .returning()
    )[0]!;
  await tx
    .insert(memberships)
    .values({ orgId: org.id, userId: user.id, role: "owner" })
    .onConflictDoUpdate({ target: [memberships.orgId, memberships.userId], set: { role: "owner" } });
  return { created: !existing, org: org.name };
});
await database.close();
console.log(`${result.created ? "Created" : "Updated"} ${address} as owner of "${result.org}".`);
