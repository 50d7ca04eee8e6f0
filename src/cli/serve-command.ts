import { startServer } from "../server/index.js";

/** `openbeat serve DIR...`: starts the dashboard and keeps running until interrupted. */
export async function serveCommand(
  dirs: string[],
  options: { port: number; host: string; token?: string; public?: boolean },
): Promise<void> {
  const server = await startServer({ dirs, port: options.port, host: options.host, token: options.token, public: options.public });
  process.stdout.write(`openbeat dashboard: ${server.url}${options.token ? "?token=…" : ""}  (Ctrl+C to stop)\n`);
  process.stdout.write(
    options.public
      ? "serving only what is safe to publish: every answer through the disclosure policy, no report.html, no private file\n"
      : "every answer goes through the disclosure policy; report.html is served as written (use --public to leave it out)\n",
  );
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}
