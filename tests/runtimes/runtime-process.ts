// A user's agent process: registers tools and connects to Echos, then waits for jobs. Prints one line per
// connection change ("connected <id>", "disconnected", "closed") and "started <stepId>" when a slow tool begins.
import { EchosRuntime, type Tools } from "../../sdk/index.ts";

const label = process.env.RUNTIME_LABEL ?? "runtime";
const all: Tools = {
  echo: (args, { stepId }) => ({ args, stepId, by: label }),
  charge_card: () => {
    throw new Error("card declined: insufficient funds");
  },
  hang: (_args, { stepId, signal }) =>
    new Promise((_resolve, reject) => {
      process.stdout.write(`started ${stepId}\n`);
      signal.addEventListener("abort", () => reject(signal.reason as Error));
    }),
};
const wanted = (process.env.RUNTIME_TOOLS ?? "echo,charge_card").split(",");
const tools = Object.fromEntries(Object.entries(all).filter(([name]) => wanted.includes(name)));

const runtime = new EchosRuntime({ tools, onError: (error) => process.stderr.write(`${error.message}\n`) });
try {
  await runtime.connect({
    name: label,
    onStatus: (status) =>
      process.stdout.write(status.state === "connected" ? `connected ${status.connectionId}\n` : `${status.state}\n`),
  });
} catch (error) {
  process.stdout.write(`refused ${(error as Error).message}\n`);
  process.exit(2);
}
