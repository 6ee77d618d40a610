// npm run summaries:resync [-- --all] [-- --org <organisation id>]
// Writes the conversation summaries that are missing or older than their conversation's last activity (every
// summary with --all), with a progress bar. Safe to run beside live servers.
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.ts";
import { createDatabase } from "../infra/db.ts";
import { createLogger } from "../infra/logger.ts";
import { conversationsToResync, writeSummary } from "../modules/conversations/service.ts";

const WIDTH = 30;

/** One redrawn line on a terminal; a line per tenth otherwise (CI logs, pipes). */
function progress(total: number) {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  return (done: number, label: string) => {
    const ratio = total === 0 ? 1 : done / total;
    const filled = Math.round(ratio * WIDTH);
    const line = `[${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}] ${done}/${total} ${Math.round(ratio * 100)}%`;
    if (tty) process.stderr.write(`\r${line} ${label.slice(0, 40).padEnd(40)}`);
    else if (Math.floor(ratio * 10) > lastTenth) {
      lastTenth = Math.floor(ratio * 10);
      process.stderr.write(`${line}\n`);
    }
  };
}

try {
  const { values } = parseArgs({ options: { all: { type: "boolean", default: false }, org: { type: "string" } } });
  const config = loadConfig(process.env);
  const log = createLogger({ ...config, log: { ...config.log, level: "error" } });
  const database = await createDatabase(config);
  await database.migrate();
  const deps = { database, config, log };
  const todo = await conversationsToResync(deps, { everything: values.all, orgId: values.org });
  console.log(`${todo.length} conversation summar${todo.length === 1 ? "y" : "ies"} to write.`);
  const show = progress(todo.length);
  const counts = { llm: 0, extractive: 0, failed: 0 };
  show(0, "");
  for (const [index, { orgId, id }] of todo.entries()) {
    try {
      counts[(await writeSummary(deps, orgId, id)).source]++;
    } catch (error) {
      counts.failed++;
      process.stderr.write(`\n${id}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    show(index + 1, id);
  }
  if (process.stderr.isTTY) process.stderr.write("\n");
  await database.close();
  console.log(`Done: ${counts.llm} by the LLM provider, ${counts.extractive} extracted, ${counts.failed} failed.`);
  if (counts.failed > 0) process.exitCode = 1;
} catch (error) {
  if (error instanceof ConfigError) for (const p of error.problems) console.error(`Configuration error: ${p}`);
  else console.error(`Resync failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
