import { ERROR_CODES, WARNING_CODES, type CodeDoc } from "../src/util/codes.js";

const INTRO = `# Errors and warnings

<!-- Generated from src/util/codes.ts by \`npm run docs\`; edit the table there, not here. -->

openbeat separates three outcomes:

- **Exit 0 with warnings.** Recoverable dirt (a few malformed rows, a renamed header, a constant feature, dropped
  rows) does not stop a run. Each issue is printed as \`warning: …\` on stderr and kept in \`results.json\` under
  \`warnings\` as \`{ code, message, … }\` with the facts behind it (rows, columns, first line). The report lists them too.
- **Exit 1: a user error.** One line on stderr, \`openbeat: FILE[:LINE]: what is wrong; what to do\`. Nothing is
  written: the results folder is staged in a hidden \`.NAME.tmp-…\` folder beside \`--out\` and only renamed into place
  at the end, so a failed run leaves \`--out\` absent, or as it was (a killed run's leftovers are cleaned by the next
  run into the same \`--out\`). Input files are only read. Library callers get a \`UserError\` whose \`code\` is listed
  below.
- **Exit 2: a bug.** \`openbeat: internal error (please report it)\` and a stack trace. Please report it with the
  study file and, if you can, the first lines of the data.

Every bad input in \`test/fixtures/bad/\` is checked against these rules by \`test/reliability/bad-inputs.test.ts\`.
`;

const SCORE_NOTE = `\`openbeat score\` prints \`warning: N rows have a COLUMN value the model never saw\` when new records use codes the
model was not trained on; those rows are scored with the "(other)" level (or no effect for that column).
`;

function table(entries: [string, CodeDoc][], what: string): string {
  const rows = entries.map(([code, d]) => `| \`${code}\` | ${d.what} | ${d.fix} |`);
  return [`| code | ${what} | what to do |`, "|---|---|---|", ...rows].join("\n");
}

/** docs/errors.md, generated from the code table in src/util/codes.ts. */
export function renderErrorsDoc(): string {
  const parts = [
    INTRO,
    "## Warnings (in `results.json`)\n",
    table(Object.entries(WARNING_CODES), "meaning") + "\n",
    SCORE_NOTE,
    "## Errors (exit 1)\n",
  ];
  const sections = new Map<string, [string, CodeDoc][]>();
  for (const [code, doc] of Object.entries(ERROR_CODES) as [string, CodeDoc][]) {
    const list = sections.get(doc.section) ?? [];
    list.push([code, doc]);
    sections.set(doc.section, list);
  }
  for (const [section, entries] of sections) parts.push(`### ${section}\n`, table(entries, "example") + "\n");
  parts.push(
    "A run stopped by Ctrl-C or SIGTERM prints `openbeat: interrupted (SIGINT); stopped the running step and removed the unfinished results` and exits 130 (SIGTERM: 143); the previous results folder, if any, is unchanged.\n",
    "Command-line option errors (`openbeat: --seed must be a whole number, not \"abc\"`; `unknown option '--sed' (Did you mean --seed?)`) have no code: see `openbeat --help`.\n",
  );
  return parts.join("\n");
}
