import { startServer } from "../server/index.js";

/** `openbeat serve DIR...`: starts the dashboard and keeps running until interrupted. */
export async function serveCommand(dirs: string[], options: { port: number; host: string; token?: string }): Promise<void> {
  const server = await startServer({ dirs, port: options.port, host: options.host, token: options.token });
  process.stdout.write(`openbeat dashboard: ${server.url}${options.token ? "?token=…" : ""}  (Ctrl+C to stop)\n`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
