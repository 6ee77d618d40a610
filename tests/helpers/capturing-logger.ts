import { Writable } from "node:stream";
import winston from "winston";

/** A logger keeping every entry it writes, with the metadata its child loggers added. */
export function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _encoding, done) {
      lines.push(info);
      done();
    },
  });
  return {
    lines,
    log: winston.createLogger({ level: "debug", transports: [new winston.transports.Stream({ stream: sink })] }),
  };
}
