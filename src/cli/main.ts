#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { isUserError } from "../util/errors.js";
import { VERSION } from "../util/version.js";
import { runCommand } from "./run-command.js";
import { demoCommand } from "./demo-command.js";
import { scoreCommand } from "./score-command.js";
import { inspectCommand } from "./inspect-command.js";
import { serveCommand } from "./serve-command.js";
import { fetchCommand } from "./fetch-command.js";
import { parseDuration } from "./parse-duration.js";
import { installSignalHandlers } from "../util/interrupt.js";

/** Parses a whole-number option or fails with a one-line message. */
function integer(name: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new CommanderError(1, "openbeat.invalid_option", `${name} must be a whole number, not "${value}"`);
    return Number(value);
  };
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
  .option("--seed <n>", "random seed (overrides the study file)", integer("--seed"))
  .option("--db <url>", "run the prepare SQL in this database (postgres://…); default: embedded DuckDB")
  .option("--cache <dir>", "cache folder for portal sources (default: .openbeat-cache next to the study file)")
  .option("--refresh", "fetch portal sources again even when cached")
  .option("--export-db <url>", "also write result tables (findings, factors, scores / clusters, assignments) to PostgreSQL")
  .option("--export-schema <name>", "schema for --export-db (default: openbeat)")
  .option("--quiet", "print only the summary")
  .option("--force", "replace an --out folder written by an older openbeat (one without a .openbeat marker)")
  .option("--allow-outside-paths", "accept source paths outside the study file's folder and --data (for study files you trust)")
  .option(
    "--timeout <duration>",
    "stop a prepare step that runs longer than this (e.g. 90s, 30min, 2h; 0: no limit)",
    duration("--timeout"),
    600_000,
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
  .option("--seed <n>", "seed for the synthetic data and the studies", integer("--seed"), 42)
  .option("--force", "replace demo results written by an older openbeat (folders without a .openbeat marker)")
  .action(demoCommand);

program
  .command("score")
  .description("score new records with a fitted risk model")
  .argument("<model>", "model.json from a risk study's results folder")
  .argument("<input>", "CSV file with the model's feature columns")
  .option("--out <file>", "write scores to this CSV (default: standard output)")
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
  .option("--public", "serve only what is safe to publish: refuse runs with protection off, no report.html (docs/disclosure.md)")
  .action(serveCommand);

async function main(): Promise<void> {
  installSignalHandlers();
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") process.exit(0);
      if (e.code === "openbeat.invalid_option") process.stderr.write(`openbeat: ${e.message}\n`);
      process.exit(1);
    }
    if (isUserError(e)) {
      process.stderr.write(`openbeat: ${e.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`openbeat: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  }
}

void main();
