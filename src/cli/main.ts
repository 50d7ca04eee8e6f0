#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, Option } from "commander";
import { isUserError, osUserError } from "../util/errors.js";
import type { TextSink } from "../util/logger.js";
import { VERSION } from "../util/version.js";
import * as msg from "../util/messages.js";
import { MAX_SEED } from "../studies/study-file/base.js";
import { runCommand } from "./run-command.js";
import { demoCommand } from "./demo-command.js";
import { scoreCommand } from "./score-command.js";
import { inspectCommand } from "./inspect-command.js";
import { serveCommand } from "./serve-command.js";
import { fetchCommand } from "./fetch-command.js";
import { examplesCommand } from "./examples-command.js";
import { initCommand } from "./init-command.js";
import { publishCommand } from "./publish-command.js";
import { parseDuration } from "./parse-duration.js";
import { installSignalHandlers } from "../util/interrupt.js";
import { cliIo, processIo, withCliIo, type CliIo } from "./io.js";

/** Help is wrapped to the terminal's width when the output is a terminal, else to commander's 80 columns. */
const helpWidth = (sink: TextSink): number => (sink.isTTY ? sink.columns : undefined) ?? 80;

/** Parses a whole-number option or fails with a one-line message. */
function integer(name: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new CommanderError(1, "openbeat.invalid_option", `${name} must be a whole number, not "${value}"`);
    return Number(value);
  };
}

/** Parses a seed: a whole number from 0 to 2^32 - 1 (what numpy's RandomState takes), or fails with one line. */
function seed(name: string) {
  const whole = integer(name);
  return (value: string): number => {
    const n = whole(value);
    if (n < 0 || n > MAX_SEED) throw new CommanderError(1, "openbeat.invalid_option", `${name}: ${msg.seedRange(MAX_SEED, value)}`);
    return n;
  };
}

/**
 * Parses a memory size (`4GB`, `512MB`, `2GiB`) into the form DuckDB's memory_limit takes, or fails with one line.
 */
function memorySize(name: string) {
  return (value: string): string => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/i.exec(value);
    if (!m || Number(m[1]) <= 0) throw new CommanderError(1, "openbeat.invalid_option", `${name}: ${msg.memorySizeInvalid(value)}`);
    const unit = m[2].length === 2 ? m[2].toUpperCase() : `${m[2][0].toUpperCase()}iB`;
    return `${m[1]}${unit}`;
  };
}

/** `--timeout <duration>`: ten minutes unless given, shown in --help as "10min" rather than in milliseconds. */
function timeoutOption(description: string): Option {
  return new Option("--timeout <duration>", description).argParser(duration("--timeout")).default(600_000, "10min");
}

/** Parses a duration option (`90s`, `10min`, `1h`) into milliseconds or fails with a one-line message. */
function duration(name: string) {
  return (value: string): number => {
    const ms = parseDuration(value);
    if (ms === null)
      throw new CommanderError(
        1,
        "openbeat.invalid_option",
        `${name} must be a duration such as 90s, 10min or 1h (0: no limit), not "${value}"`,
      );
    return ms;
  };
}

const program = new Command()
  .name("openbeat")
  .description("Police open-data exports to findings, models and a dashboard, from one study file.")
  .version(VERSION)
  .configureOutput({
    writeOut: (text) => {
      cliIo().stdout.write(text);
    },
    writeErr: (text) => {
      cliIo().stderr.write(text);
    },
    getOutHelpWidth: () => helpWidth(cliIo().stdout),
    getErrHelpWidth: () => helpWidth(cliIo().stderr),
    // Commander's own errors (unknown option, missing argument) as one line, like every other openbeat error.
    outputError: (text, write) => {
      write(
        `openbeat: ${text
          .replace(/^error: /, "")
          .replace(/\s*\n\s*/g, " ")
          .trim()}; run openbeat --help for usage\n`,
      );
    },
  })
  .exitOverride();

program
  .command("run")
  .description("run a study file and write its results folder")
  .argument("<study>", "study file (YAML)")
  .option("--data <dir>", "folder that source paths are relative to (default: the study file's folder)")
  .option("--out <dir>", "results folder (default: out/<study file name>)")
  .option("--seed <n>", "random seed, 0 to 2^32 - 1 (overrides the study file)", seed("--seed"))
  .option("--db <url>", "run the prepare SQL in this database (postgres://…); default: embedded DuckDB")
  .option("--cache <dir>", "cache folder for portal sources (default: .openbeat-cache next to the study file)")
  .option("--refresh", "fetch portal sources again even when cached")
  .option("--export-db <url>", "also write result tables (findings, factors, scores / clusters, assignments) to PostgreSQL")
  .option("--export-schema <name>", "schema for --export-db (default: openbeat)")
  .option("--quiet", "print only the summary")
  .option("--force", "replace an --out folder written by an older openbeat (one without a .openbeat marker)")
  .option("--allow-outside-paths", "accept source paths outside the study file's folder and --data (for study files you trust)")
  .addOption(timeoutOption("stop a prepare step that runs longer than this (e.g. 90s, 30min, 2h; 0: no limit)"))
  .option(
    "--memory-limit <size>",
    "most memory the embedded database may use before it spills to disk (e.g. 4GB, 512MB; default: 1GiB per core, at most half the RAM)",
    memorySize("--memory-limit"),
  )
  .action(runCommand);

program
  .command("fetch")
  .description("download a study's portal sources (Socrata, ArcGIS, URL) into the cache")
  .argument("<study>", "study file (YAML)")
  .option("--cache <dir>", "cache folder (default: .openbeat-cache next to the study file)")
  .option("--refresh", "fetch again even when cached")
  .action(fetchCommand);

program
  .command("demo")
  .description("run the example studies on seeded synthetic data (no downloads needed)")
  .option("--out <dir>", "results folder", "out/demo")
  .option("--seed <n>", "seed for the synthetic data and the studies (0 to 2^32 - 1)", seed("--seed"), 42)
  .option("--force", "replace demo results written by an older openbeat (folders without a .openbeat marker)")
  .action(demoCommand);

program
  .command("score")
  .description(
    "score new records with a fitted risk model: a file that already holds the prepared feature columns, or with --raw new exports as downloaded, which the study's own source loading and prepare SQL turn into rows first",
  )
  .argument("<model>", "a risk study's results folder, or its model.json")
  .argument(
    "[inputs...]",
    "without --raw: one CSV or Parquet file with the model's feature columns; with --raw: the new export(s) of the study's source (one source only; else use --source)",
  )
  .option("--out <file>", "write scores to this CSV (default: standard output)")
  .option(
    "--raw",
    "the inputs are raw exports: apply the study's source loading and prepare SQL (from the results folder's manifest.json) before scoring",
  )
  .option(
    "--source <name=file>",
    "a new file that takes the place of the study's source NAME (repeat for several files or sources; implies --raw)",
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  )
  .option("--study <file>", "replay this study file instead of the one recorded in the results folder (implies --raw)")
  .option("--data <dir>", "with --raw: folder the study's own source paths are relative to, for sources not given a new file")
  .addOption(timeoutOption("with --raw: stop a prepare step that runs longer than this (0: no limit)"))
  .addHelpText(
    "after",
    `
Examples:
  openbeat score out/lmpd rows.csv               rows that already hold the prepared feature columns
  openbeat score out/orlando --raw OPD_2020.csv  a raw export of the study's only source
  openbeat score out/lmpd --source officers=AssaultedOfficerData.csv --source crimes=Crime.csv`,
  )
  .action(scoreCommand);

program
  .command("inspect")
  .description("describe each column of a CSV, GeoJSON or shapefile: type, nulls, distinct values, top values")
  .argument("<file>", "data file")
  .action(inspectCommand);

program
  .command("serve")
  .description("open the dashboard on one or more results folders")
  .argument("<dirs...>", "results folders")
  .option("--port <n>", "port", integer("--port"), 5173)
  .option("--host <host>", "address to bind (anything but loopback needs --token)", "127.0.0.1")
  .option("--token <token>", "require this token on every request")
  .option("--connections <n>", "database connections answering at once (default 2 to 4, from the cores)", integer("--connections"))
  .option("--no-cache", "compute every answer, even for a request answered before")
  .option("--no-index", "answer from SQL over each run's table instead of its in-memory index (same answers, slower)")
  .option(
    "--public",
    "serve only what is safe to publish: refuse runs with protection off, report.html only where its audit passes (docs/disclosure.md)",
  )
  .action(serveCommand);

program
  .command("init")
  .description("draft a commented study file from data files (to standard output, or --out)")
  .argument("<files...>", "data files (CSV, Parquet, NDJSON); names that differ only in digits become one glob source")
  .addOption(new Option("--kind <kind>", "study kind").choices(["risk", "segments"]).makeOptionMandatory())
  .option("--target <column>", "risk: the column to predict (default: chosen from the two-valued columns)")
  .option("--out <file>", "write the study file here (never over an existing file); source paths are relative to it")
  .action(initCommand);

program
  .command("examples")
  .description("copy the example study files into a folder (never overwriting a file)")
  .argument("[dir]", "target folder", "openbeat-examples")
  .action(examplesCommand);

program
  .command("publish")
  .description("copy the public files of a results folder (aggregates, suppressed) to a folder and check them again")
  .argument("<results>", "results folder written by openbeat run")
  .argument("<dir>", "folder to publish into (new, empty, or an earlier publish)")
  .action(publishCommand);

/** The exit code for an error that escaped a command, after printing its one line (or the stack of a bug). */
function exitCode(e: unknown, io: CliIo): number {
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
    // Help shown because no command was given went to stderr: that is a usage error, so exit 1, never 0.
    if (e.code === "commander.help") return e.exitCode;
    if (e.code === "openbeat.invalid_option") io.stderr.write(`openbeat: ${e.message}\n`);
    return 1;
  }
  if (isUserError(e)) {
    io.stderr.write(`openbeat: ${e.message}\n`);
    return 1;
  }
  const os = osUserError(e);
  if (os) {
    io.stderr.write(`openbeat: ${os.message}\n`);
    return 1;
  }
  io.stderr.write(`openbeat: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 2;
}

// Commander keeps the parsed options on the command objects between parses, so runs take turns.
let turn: Promise<unknown> = Promise.resolve();

/**
 * Runs the command line in this process and returns its exit code: 0 on success and for --help and --version, 1 on a
 * user error (one line on stderr), 2 on a bug (the stack on stderr). Everything a command prints goes through `io`,
 * and nothing exits the process, so a test sees exactly what the installed binary prints.
 * @param argv the arguments after the program name, e.g. `["run", "study.yaml", "--quiet"]`
 * @param io where standard output and standard error go (default: the process's own)
 */
export function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const run = turn.then(() =>
    withCliIo(io, async () => {
      try {
        // Every relative path resolves against the working folder: when it was deleted, say so once, up front.
        process.cwd();
        await program.parseAsync(argv, { from: "user" });
        return 0;
      } catch (e) {
        return exitCode(e, io);
      }
    }),
  );
  // A writer that throws must not stop the runs queued after this one.
  turn = run.catch(() => undefined);
  return run;
}

/** True when this module is the program node was started with (directly or through the npm bin link). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // Ctrl-C and SIGTERM stop a running step and remove staged results (util/interrupt.ts); only the binary installs
  // these handlers, so an embedding program keeps its own.
  installSignalHandlers();
  // `openbeat score ... | head -1`: the reader closed the pipe and wants no more; stop quietly, as a SIGPIPE would.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  // A non-zero code exits at once, as before; on success the process ends when its work does (serve keeps running).
  void runCli(process.argv.slice(2)).then((code) => {
    if (code !== 0) process.exit(code);
  });
}
