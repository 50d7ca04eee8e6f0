import { createReadStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";

/** Writes `text`, waiting for the stream to drain when its buffer is full. */
export async function writeAll(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, "drain");
}

/** The lines of a text file, streamed. */
export function openLines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
}
