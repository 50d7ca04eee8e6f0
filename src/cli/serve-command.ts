import { startServer } from "../server/index.js";
import { cliIo } from "./io.js";

/**
 * `openbeat serve DIR...`: starts the dashboard and keeps running until interrupted. It is about the process: Ctrl+C
 * (SIGINT) or SIGTERM stops the server and exits.
 */
export async function serveCommand(
  dirs: string[],
  options: { port: number; host: string; token?: string; public?: boolean; connections?: number; cache?: boolean; index?: boolean },
): Promise<void> {
  const io = cliIo();
  const log = (line: string) => io.stderr.write(line + "\n");
  const server = await startServer({
    dirs,
    port: options.port,
    host: options.host,
    token: options.token,
    public: options.public,
    connections: options.connections,
    cache: options.cache,
    index: options.index,
    log,
  });
  io.stdout.write(`openbeat dashboard: ${server.url}${options.token ? "?token=…" : ""}  (Ctrl+C to stop)\n`);
  io.stdout.write(
    options.public
      ? "serving only what is safe to publish: every answer through the disclosure policy, report.html only where its audit passes, no private file\n"
      : "every answer goes through the disclosure policy; report.html is served as written (use --public to serve it only where its audit passes)\n",
  );
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
