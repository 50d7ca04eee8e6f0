/**
 * Every error and warning code openbeat emits, with what it means and what to do. `UserError` and logged warnings only
 * accept these codes, and docs/errors.md is generated from this table (`npm run docs`; a test checks it is current).
 * Append a code to the section it belongs to.
 */

/** What a code's entry in docs/errors.md says. */
export interface CodeDoc {
  /** Section of docs/errors.md. */
  section: string;
  /** A typical message, or what the warning means (Markdown). */
  what: string;
  /** What the user does about it (Markdown). */
  fix: string;
}

/** Codes of user errors (exit 1). */
export const ERROR_CODES = {
  "study.unreadable": {
    section: "The study file",
    what: "`x.yaml: study file not found; check the path`",
    fix: "give the path of a `.yaml` study file",
  },
  "study.is_directory": {
    section: "The study file",
    what: "`x.yaml: study file not found; check the path`",
    fix: "give the path of a `.yaml` study file",
  },
  "study.yaml": {
    section: "The study file",
    what: '`s.yaml:8: invalid YAML: Map keys must be unique; "risk" appears twice at this level; keep one`',
    fix: "fix indentation (spaces, not tabs), quotes, brackets; define each `&anchor` before its `*alias`",
  },
  "study.empty": {
    section: "The study file",
    what: "`s.yaml: a study file must be a YAML mapping with at least name, kind and sources`",
    fix: "start from an example in `examples/`",
  },
  "study.invalid": {
    section: "The study file",
    what: '`s.yaml:6: unknown key "risk.targt" (did you mean "target"?); allowed here: …` ; `s.yaml:8: "risk.validation.folds" should be a number, not "five"` ; `s.yaml:2: "kind" must be one of "risk", "segments", not "riks" (did you mean "risk"?)`',
    fix: "use the suggested key; see `docs/study-file.md`",
  },
  "study.missing_section": {
    section: "The study file",
    what: '`kind is "risk" but there is no "risk:" section`',
    fix: "add the section for the kind, remove the other",
  },
  "study.extra_section": {
    section: "The study file",
    what: '`kind is "risk" but there is no "risk:" section`',
    fix: "add the section for the kind, remove the other",
  },
  "study.duplicate_step": {
    section: "The study file",
    what: '`prepare step name "step" is used twice`',
    fix: "give each step (and source) its own name",
  },
  "study.no_table": {
    section: "The study file",
    what: '`several sources and no prepare steps; add "table:"`',
    fix: "name the analysis table or add a joining step",
  },
  "study.column_not_found": {
    section: "The study file",
    what: '`risk.features: column "OFENSE" not found in table "incidents" (did you mean "OFFENSE"?)`',
    fix: "fix the name; `openbeat inspect FILE` lists the columns",
  },
  "study.no_features": {
    section: "The study file",
    what: "`risk.features lists no columns`",
    fix: "add `categorical`, `numeric` or `dates`",
  },
  "source.missing": {
    section: "Sources",
    what: '`source "incidents": file not found: incidents-2021.csv`',
    fix: "paths are relative to the study file, or to `--data DIR`",
  },
  "source.not_file": {
    section: "Sources",
    what: '`source "incidents": good is a directory, not a file`',
    fix: "point at the data file itself",
  },
  "source.unreadable": {
    section: "Sources",
    what: '`source "incidents": cannot read incidents.csv (EACCES)`',
    fix: "fix permissions, broken links",
  },
  "source.format": {
    section: "Sources",
    what: "`cannot tell the format of incidents.xlsx from its extension`",
    fix: "export CSV (or GeoJSON/shapefile), or add `format:`",
  },
  "source.empty": { section: "Sources", what: "`the file is empty (0 bytes)`", fix: "export again" },
  "source.encoding": {
    section: "Sources",
    what: '`the file is not UTF-8 (first bad bytes on line 2); add "encoding: latin-1"`',
    fix: "declare `encoding: latin-1` (or `utf-16`) on the source, or save as UTF-8. Rows are never silently dropped for this: the whole file would be misread",
  },
  "csv.encoding": {
    section: "Sources",
    what: '`the file is not UTF-8 (first bad bytes on line 2); add "encoding: latin-1"`',
    fix: "declare `encoding: latin-1` (or `utf-16`) on the source, or save as UTF-8. Rows are never silently dropped for this: the whole file would be misread",
  },
  "csv.unbalanced_quote": {
    section: "Sources",
    what: '`line 3 opens a double quote (") that is never closed, so 3 of 5 data rows could not be split`',
    fix: "close or remove the quote on that line",
  },
  "csv.line_too_long": {
    section: "Sources",
    what: "`line 2 is 10,485,817 bytes long, more than the 2,000,000 a row may have`",
    fix: "usually an unclosed quote or a pasted document; fix that line",
  },
  "csv.rejected_rows": {
    section: "Sources",
    what: "`4 of 5 data rows are malformed (first at line 3: Expected Number of Columns: 7 Found: 4)`",
    fix: "more than half the rows failed: check `delimiter`, `types`, and the line named",
  },
  "csv.type": {
    section: "Sources",
    what: '`column "INCIDENT_NUM" not found (did you mean "INCIDENT_NUMBER"?)`',
    fix: "fix the names and types under `types:`",
  },
  "csv.type_column": {
    section: "Sources",
    what: '`column "INCIDENT_NUM" not found (did you mean "INCIDENT_NUMBER"?)`',
    fix: "fix the names and types under `types:`",
  },
  "source.load": {
    section: "Sources",
    what: "`cannot load the file: …`",
    fix: "the database's own message follows; check the file in `openbeat inspect`",
  },
  "geojson.parse": {
    section: "Sources",
    what: "`cannot load the file: …`",
    fix: "the database's own message follows; check the file in `openbeat inspect`",
  },
  "source.set_format": {
    section: "Sources",
    what: '`s.yaml: source "areas": geojson sources are one file each; give one path, or one source per file`',
    fix: "GeoJSON and shapefile sources take one path; globs and lists are for CSV, Parquet and NDJSON",
  },
  "source.not_fetched": {
    section: "Sources",
    what: '`source "x" is a socrata source that has not been fetched`',
    fix: "run `openbeat fetch`; see `docs/portals.md`",
  },
  "source.outside": {
    section: "Sources",
    what: '`source "incidents": /etc/passwd resolves to /etc/passwd, outside the study file\'s folder and --data; move the file there, or pass --allow-outside-paths if you trust this study file`',
    fix: "source paths (as real paths, symbolic links followed) must lie inside the study file's folder or `--data`; pass `--allow-outside-paths` only for a study file you trust",
  },
  "prepare.sql": {
    section: "Prepare SQL",
    what: '`study.yaml:24: prepare step "labelled" failed: Binder Error: Referenced column "PREMISES" not found in FROM clause!`, then DuckDB\'s hint lines (`Candidate bindings: "PREMISE"`, the SQL line as `study.yaml:24: …` with a `^` under the error)',
    fix: 'the step and the study file\'s line are named and DuckDB\'s message and hints follow (a candidate binding is often the fix: a column spelled with two spaces or another case); fix the SQL of that step. Unparseable dates show the value and format: `Could not parse string "sometime in March" according to format specifier "%Y-%m-%d %H:%M:%S"` (use `try_strptime` to turn bad dates into NULL)',
  },
  "prepare.dialect": {
    section: "Prepare SQL",
    what: '`prepare step "x" is written for postgres`',
    fix: "add the other dialect's version or change `--db`",
  },
  "prepare.not_select": {
    section: "Prepare SQL",
    what: '`prepare step "copied" is a COPY statement, not a SELECT; a study file may only query the loaded tables (no COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA or EXPORT)`; `prepare step "both" holds 2 SQL statements; write exactly one SELECT per step`',
    fix: "write each step as one `SELECT` (or `WITH \u2026 SELECT`, `FROM \u2026`, `VALUES`); list a PIVOT's values (`PIVOT t ON c IN ('a', 'b')`). A step that reads files or URLs fails with `prepare.sql` and a `Permission Error`: load what you need as a source",
  },
  "prepare.timeout": {
    section: "Prepare SQL",
    what: '`prepare step "slow" was stopped after 10 min (--timeout); make the query cheaper (filter early, avoid cross joins) or pass a longer --timeout`',
    fix: "check the step for an accidental cross join; `--timeout 30min` (or `0` for no limit) if it is simply big",
  },
  "data.empty": {
    section: "Data",
    what: '`the analysis table "incidents" has no rows`',
    fix: "check filters in `prepare`, and that sources have rows",
  },
  "data.target_not_binary": {
    section: "Data",
    what: '`target "y" has values other than 0/1, true/false or yes/no (e.g. "2", "3")`',
    fix: "derive a 0/1 column in `prepare`",
  },
  "data.one_class": {
    section: "Data",
    what: '`target "y" has only one class (no 1s in 4 rows)` — "in 0 rows" means every target value was missing',
    fix: "check the label SQL",
  },
  "data.not_numeric": {
    section: "Data",
    what: '`numeric feature "AGE" has 2 values that are not numbers (e.g. "unknown")`',
    fix: "cast/clean in `prepare`, or list it as categorical",
  },
  "data.not_finite": {
    section: "Data",
    what: '`numeric feature "AGE" has 3 values that are NaN or infinite`',
    fix: "`CASE WHEN isfinite(AGE) THEN AGE END` in `prepare`",
  },
  "data.empty_feature": {
    section: "Data",
    what: '`numeric feature "AGE" is empty (all 4 values are missing)`',
    fix: "remove it or fix the column it comes from",
  },
  "data.too_many_levels": {
    section: "Data",
    what: '`categorical feature "OFFENSE" has 12,000 distinct values in 12,000 rows (more than 10,000)`',
    fix: "it is an id or free text: remove it, group it in `prepare`, or raise `min_frequency`",
  },
  "data.not_date": {
    section: "Data",
    what: '`date feature "DATE_OCCURED" has type VARCHAR, not a timestamp`',
    fix: "parse it in `prepare` with `strptime`: the message gives a call that runs as written (`strptime(\"DATE OCC\", '%m/%d/%Y %I:%M:%S %p')`) when a common format parses every value, else a value to write the format for; mixed formats need `coalesce(try_strptime(x, f1), try_strptime(x, f2))`",
  },
  "data.date_without_time": {
    section: "Data",
    what: '`date feature "DATE_OCC" has no time of day (all 1,200 values are at 00:00), so its hour would be one level`',
    fix: "remove `hour` from its `parts`, or name the column that holds the time of day: `{ column: DATE_OCC, time: { column: TIME_OCC, format: hhmm }, parts: [hour, weekday] }`",
  },
  "data.no_times": {
    section: "Data",
    what: '`no value of "TIME_OCC" (the time of DATE_OCC) is an HHMM time of day (0..2359, minutes below 60), e.g. "14:30"`',
    fix: "`format: hhmm` reads integers such as 1430; `format: time` reads TIME values and text such as 14:30; else parse the time in `prepare`",
  },
  "risk.smote_too_few": {
    section: "Models and validation",
    what: "`SMOTE needs more than k_neighbors = 40 minority rows in each training fold, found 16`",
    fix: "lower `resample.k_neighbors`, or `method: class_weight`",
  },
  "risk.split_one_class": {
    section: "Models and validation",
    what: "`validation split 11 has only one class in its test rows`",
    fix: "fewer folds, more data, or `holdout`",
  },
  "risk.target_as_feature": {
    section: "Models and validation",
    what: '`risk.features: "officer_assaulted" is the target itself: it is the target or an expression of it`',
    fix: "remove the column from `risk.features`; a feature that separates the classes perfectly records the answer",
  },
  "risk.reference_level": {
    section: "Models and validation",
    what: '`risk.factors.reference: PREMISE_TYPE has no level "HOME"`',
    fix: "use one of the listed levels (after `min_frequency` and `exclude_values`), or leave the column out to use its most frequent level",
  },
  "risk.needs_date": {
    section: "Models and validation",
    what: "`risk.label.censor_before / censor_after need a date column`",
    fix: "add `risk.date` naming the timestamp the label window applies to",
  },
  "risk.label_check_sql": {
    section: "Models and validation",
    what: '`risk.label.checks "no crime report": its where condition failed: …`',
    fix: "write an SQL condition over the analysis table's columns",
  },
  "segments.k_too_large": {
    section: "Models and validation",
    what: "`k up to 12 needs more than 12 rows, but only 8 rows remain`",
    fix: "lower `segments.k.max` (or `k.fixed`)",
  },
  "segments.demographics_sql": {
    section: "Models and validation",
    what: "an expression under `areas.demographics.columns` failed",
    fix: "fix that expression",
  },
  "segments.weights": {
    section: "Models and validation",
    what: '`segments.weights: "Agee" is not a variable of segments.features (did you mean "Age"?)`',
    fix: "name a feature column (a date part as `column.part`), or the blocks `numeric` and `categorical`",
  },
  "out.not_results": {
    section: "Command line, results folder, score, serve",
    what: "`--out x: folder is not empty (it holds index.html, manifest.json) and it has no .openbeat marker, so openbeat did not write it; choose a new or empty folder for --out`",
    fix: "openbeat replaces only folders holding its `.openbeat` marker; give a new or empty folder",
  },
  "out.not_directory": {
    section: "Command line, results folder, score, serve",
    what: "`--out x: exists and is not a folder`",
    fix: "choose another path",
  },
  "out.legacy": {
    section: "Command line, results folder, score, serve",
    what: "`--out x: holds results of an older openbeat (results.json and manifest.json, no .openbeat marker); pass --force to replace them (notes.md would be kept), or choose a new --out`",
    fix: "`--force` if it is yours; files openbeat did not write are kept",
  },
  "out.symlink": {
    section: "Command line, results folder, score, serve",
    what: "`--out x: is a symbolic link`",
    fix: "choose the folder the link points to, or another path",
  },
  "out.protected": {
    section: "Command line, results folder, score, serve",
    what: "`--out data: is the data folder (--data data)`; `--out . : contains the study file (s.yaml), which replacing the folder would delete`; `--out data/r: is inside the data folder`",
    fix: "results go beside the inputs, never over or into them: e.g. `--out out/NAME`",
  },
  "out.locked": {
    section: "Command line, results folder, score, serve",
    what: "`--out x: another openbeat run (pid 4242) is writing this folder; wait for it to finish or choose another --out (if no run is active, delete \u2026/.x.lock)`",
    fix: "wait, or use another folder; a lock left by a dead process is taken over automatically",
  },
  "out.kept_conflict": {
    section: "Command line, results folder, score, serve",
    what: "`--out x: areas.geojson was not written by openbeat, and this run writes a file of that name; move it out of the folder and run again`",
    fix: "move or rename your file",
  },
  "out.unwritable": {
    section: "Command line, results folder, score, serve",
    what: "`--out x: the file system is read-only (\u2026)`; `no permission to write \u2026`; `a part of the path is a file, not a folder`; `the path is too long`",
    fix: "choose a writable folder or a shorter path",
  },
  "out.disk_full": {
    section: "Command line, results folder, score, serve",
    what: "`--out x: the disk is full (writing \u2026)`",
    fix: "free space, or choose a folder on another disk",
  },
  "score.model_missing": {
    section: "Command line, results folder, score, serve",
    what: "`m.json: not an openbeat risk model`; `model has 3 coefficients for 4 features`",
    fix: "pass the `model.json` of a risk study's results folder, unedited",
  },
  "score.model_invalid": {
    section: "Command line, results folder, score, serve",
    what: "`m.json: not an openbeat risk model`; `model has 3 coefficients for 4 features`",
    fix: "pass the `model.json` of a risk study's results folder, unedited",
  },
  "score.input_missing": {
    section: "Command line, results folder, score, serve",
    what: '`new.csv: missing column "PREMISE" that model.json needs; the input must have the columns OFFENSE, PREMISE, UNIT, AGE`',
    fix: "a model from another study needs that study's columns",
  },
  "score.input_columns": {
    section: "Command line, results folder, score, serve",
    what: '`new.csv: missing column "PREMISE" that model.json needs; the input must have the columns OFFENSE, PREMISE, UNIT, AGE`',
    fix: "a model from another study needs that study's columns",
  },
  "inspect.not_found": {
    section: "Command line, results folder, score, serve",
    what: "`x.csv: file not found`",
    fix: "give a CSV, GeoJSON or shapefile",
  },
  "inspect.directory": {
    section: "Command line, results folder, score, serve",
    what: "`x.csv: file not found`",
    fix: "give a CSV, GeoJSON or shapefile",
  },
  "examples.exists": {
    section: "Command line, results folder, score, serve",
    what: "`out: out/lmpd-officer-assaults.yaml already exists; choose an empty folder or move the files away (nothing was copied)`",
    fix: "give a new or empty folder; openbeat never overwrites files",
  },
  "examples.not_directory": {
    section: "Command line, results folder, score, serve",
    what: "`x: exists and is not a folder`",
    fix: "give a folder path",
  },
  "init.no_files": {
    section: "Command line, results folder, score, serve",
    what: "`init: give one or more data files`",
    fix: "`openbeat init Crime.csv --kind risk`",
  },
  "init.target": {
    section: "Command line, results folder, score, serve",
    what: "`--target X: no such column; two-valued columns that could be the target: …`",
    fix: "pass one of the listed columns, or make a 0/1 column in prepare and edit the draft",
  },
  "init.too_few_rows": {
    section: "Command line, results folder, score, serve",
    what: "`x.csv: has 3 rows; a study needs at least 20`",
    fix: "give the full export",
  },
  "init.no_features": {
    section: "Command line, results folder, score, serve",
    what: "`x.csv: no column can be a feature`",
    fix: "write the study file by hand from `examples/`",
  },
  "init.exists": {
    section: "Command line, results folder, score, serve",
    what: "`--out study.yaml: already exists`",
    fix: "choose another name; init never overwrites a file",
  },
  "data.no_rows_left": {
    section: "Data",
    what: "`no rows left after the missing-value policy (12 missing PREMISE_TYPE)`",
    fix: "use `missing: { categorical: category }` or clean the data in `prepare`",
  },
  "data.target_empty": {
    section: "Data",
    what: '`target "y" is empty in all 4 rows`',
    fix: "check the column name and the label in the prepare SQL",
  },
  "db.connect": {
    section: "Command line, results folder, score, serve",
    what: "`cannot connect to postgres://…`",
    fix: "check that the server is running and the URL is right (passwords are never printed)",
  },
  "db.open": {
    section: "Command line, results folder, score, serve",
    what: "`cannot open database x.duckdb: …`",
    fix: "check the path and that no other process holds the file",
  },
  "db.url": {
    section: "Command line, results folder, score, serve",
    what: "`--db mysql://…: unsupported database URL`",
    fix: "use `postgres://user@host:port/dbname`, or leave `--db` out",
  },
  "db.sandbox": {
    section: "Command line, results folder, score, serve",
    what: "`--db postgres://\u2026: logging in as the per-run role failed (\u2026); prepare SQL would run with access to the server's files`",
    fix: 'connect as a user without superuser and without pg_read_server_files, pg_write_server_files or pg_execute_server_program, or let new roles log in (pg_hba.conf); see "Study-file SQL runs in a sandbox" in `docs/decisions.md`',
  },
  "geojson.type": {
    section: "Sources",
    what: '`cannot load the file: expected a GeoJSON FeatureCollection, found type "Feature"`',
    fix: "export the layer as a FeatureCollection",
  },
  "portal.arcgis": {
    section: "Sources",
    what: "the ArcGIS server answered with an error",
    fix: "check the layer URL, `where` and `out_fields`; see `docs/portals.md`",
  },
  "portal.format": {
    section: "Sources",
    what: '`format "shapefile" cannot be downloaded`',
    fix: "use `format: csv` or `geojson` for portal sources",
  },
  "portal.http": { section: "Sources", what: "`HTTP 404 Not Found`", fix: "check the dataset address and query" },
  "portal.time_zone": {
    section: "Sources",
    what: '`arcgis.time_zone "Mars/Base" is not an IANA time zone`',
    fix: "use e.g. `UTC` or `America/New_York`",
  },
  "portal.unavailable": {
    section: "Sources",
    what: "`gave up after 5 attempts (last: HTTP 503)`",
    fix: "try again later; cached data is used when present",
  },
  "publish.results": {
    section: "Command line, results folder, score, serve",
    what: "`out/x: not a results folder written by openbeat run (no .openbeat marker or manifest.json)`",
    fix: "pass a folder written by `openbeat run`",
  },
  "publish.unprotected": {
    section: "Command line, results folder, score, serve",
    what: "`out/x: not published because the run turned suppression off (disclosure.min_cell: 0)`",
    fix: "remove `min_cell: 0` from the study file's `disclosure:` section and rerun",
  },
  "publish.dir": {
    section: "Command line, results folder, score, serve",
    what: "`site/: not empty and not an earlier openbeat publish; choose an empty or new folder`",
    fix: "publish into a new or empty folder, or into one an earlier `openbeat publish` wrote",
  },
  "publish.check": {
    section: "Command line, results folder, score, serve",
    what: "`results.json: clusters[2].size is 4, below min_cell 10; nothing was published`",
    fix: "a file of the results folder was changed or written by a faulty build: rerun `openbeat run` and publish again",
  },
  "serve.connections": {
    section: "Command line, results folder, score, serve",
    what: "`--connections 0: the server needs 1 to 64 database connections`",
    fix: "pass a whole number from 1 to 64, or leave `--connections` out (2 to 4, from the cores)",
  },
  "serve.dir": {
    section: "Command line, results folder, score, serve",
    what: "`no results.json here or in its subfolders`",
    fix: "pass a results folder written by `openbeat run`",
  },
  "serve.host": {
    section: "Command line, results folder, score, serve",
    what: "`cannot bind 10.9.9.9: no such address on this machine`",
    fix: "use an address of this machine, or 127.0.0.1",
  },
  "serve.parquet": {
    section: "Command line, results folder, score, serve",
    what: "`prepared.parquet: missing`",
    fix: "rerun `openbeat run`",
  },
  "serve.port": {
    section: "Command line, results folder, score, serve",
    what: "`port 5173 is in use; pass another with --port N`",
    fix: "pass another port",
  },
  "serve.public": {
    section: "Command line, results folder, score, serve",
    what: "`out/x: not served with --public because disclosure.dashboard.perturb is false (exact counts can be differenced)`",
    fix: "remove the setting that turns protection off from the study file's `disclosure:` section and rerun, or serve without `--public`",
  },
  "serve.results": {
    section: "Command line, results folder, score, serve",
    what: "`results.json: cannot read results.json`",
    fix: "rerun `openbeat run`",
  },
  "serve.token": {
    section: "Command line, results folder, score, serve",
    what: "`--host 0.0.0.0 exposes the dashboard beyond this machine; also pass a token`",
    fix: "pass `--token`, or bind 127.0.0.1",
  },
  "shapefile.dbf": { section: "Sources", what: "`the attribute file x.dbf is missing`", fix: "copy the .dbf next to the .shp" },
  "shapefile.encoding": { section: "Sources", what: '`unknown .dbf encoding "klingon"`', fix: "set `encoding` (e.g. latin1, utf-8)" },
  "shapefile.read": { section: "Sources", what: "`not a readable shapefile (…)`", fix: "check the file with `openbeat inspect`" },
  "score.input_rows": {
    section: "Command line, results folder, score, serve",
    what: "`new.csv: 2 rows are malformed (first at line 5); fix them so every row is scored and numbered by its place in the file`",
    fix: "fix the rows, or keep the model's id column in the input so rows are labelled by id",
  },
  "score.input_type": {
    section: "Command line, results folder, score, serve",
    what: '`new.csv: column "DIVISION" has 3 values that are not BIGINT, the type it had in the training data (e.g. "2nd")`',
    fix: "export the column as it was for training",
  },
  "score.out_conflict": {
    section: "Command line, results folder, score, serve",
    what: "`--out model.json: is the model file; choose another file for the scores`",
    fix: "write the scores to a new file",
  },
  "score.export_column": {
    section: "Command line, results folder, score, serve",
    what: '`new/Crime.csv (source "crimes"): no column "PREMISE_TYPE", which the study\'s prepare SQL reads (step "incidents"); export the file with that column, or pass the study file with --study after adapting its SQL`',
    fix: "export the file with the columns the study was run on (a renamed column can be renamed back in a copy of the study file, given with `--study`)",
  },
  "score.no_study": {
    section: "Command line, results folder, score, serve",
    what: "`out/lmpd: no manifest.json with the study file's text beside model.json; pass the study file with --study FILE`",
    fix: "pass the results folder `openbeat run` wrote, or the study file with `--study`",
  },
  "score.not_risk": {
    section: "Command line, results folder, score, serve",
    what: "`s.yaml: a segments study has no model to score with; give a risk study`",
    fix: "give the study file of the risk study that wrote the model",
  },
  "score.source_unknown": {
    section: "Command line, results folder, score, serve",
    what: '`--source crime=new.csv: the study lmpd.yaml has no source "crime" (did you mean "crimes"?); its sources: officers, crimes`',
    fix: "name one of the study's sources",
  },
  "score.source_needed": {
    section: "Command line, results folder, score, serve",
    what: '`lmpd.yaml: source "crimes" is a portal dataset; give a file for it with --source crimes=FILE`',
    fix: "download the new export and pass it with `--source NAME=FILE`",
  },
  "score.which_source": {
    section: "Command line, results folder, score, serve",
    what: "`new.csv: the study has 2 sources (officers, crimes); say which one each new file replaces with --source NAME=FILE`",
    fix: "`--source crimes=new.csv` (repeat `--source` for each file)",
  },
  "score.source_arg": {
    section: "Command line, results folder, score, serve",
    what: "`--source new.csv: expected NAME=FILE, e.g. --source crimes=new.csv`",
    fix: "write the source's name, `=`, and the file",
  },
  "score.inputs": {
    section: "Command line, results folder, score, serve",
    what: "`score takes one input file with the prepared feature columns (got 2); to score raw exports with the study's own loading and prepare SQL, add --raw`",
    fix: "give one prepared file, or add `--raw` for raw exports",
  },
  "data.reserved_column": {
    section: "Data values",
    what: '`s.yaml: table "incidents" has a column named "_score", a name openbeat gives its own output columns`',
    fix: 'rename it in a prepare step: `SELECT * EXCLUDE ("_score"), "_score" AS score_in_data FROM t`',
  },
  "source.changed": {
    section: "Sources",
    what: '`source "incidents" (incidents.csv) changed while it was read`',
    fix: "wait until the file is written completely (copy it first), then run again",
  },
  "os.read_only": {
    section: "Files and folders",
    what: "`x: the file system is read-only`",
    fix: "write to a folder on a writable disk",
  },
  "os.no_permission": {
    section: "Files and folders",
    what: "`x: permission denied (open)`",
    fix: "check the file's permissions, or choose a path you can write to",
  },
  "os.disk_full": {
    section: "Files and folders",
    what: "`x: the disk is full`",
    fix: "free some space, or choose a folder on another disk",
  },
  "os.not_directory": {
    section: "Files and folders",
    what: "`x/y: a part of the path is a file, not a folder`",
    fix: "fix the path",
  },
  "os.name_too_long": {
    section: "Files and folders",
    what: "`x: the name is too long for the file system`",
    fix: "choose a shorter path",
  },
  "os.cwd_missing": {
    section: "Files and folders",
    what: "`the working folder no longer exists`",
    fix: "cd to an existing folder and run again",
  },
  "os.not_found": {
    section: "Files and folders",
    what: "`x: no such file or folder`",
    fix: "check the path",
  },
  "os.not_regular": {
    section: "Files and folders",
    what: "`x: is a FIFO or device, not a file`",
    fix: "give the path of a regular file",
  },
  "os.error": {
    section: "Files and folders",
    what: "`x: input/output error (EIO)`",
    fix: "check the disk and the path, then run again",
  },
} as const satisfies Record<string, CodeDoc>;

/** Codes of warnings (kept in results.json; the run goes on). */
export const WARNING_CODES = {
  "source.column_drift": {
    section: "Sources",
    what: "the files of one source (a glob or a list) differ in their columns: some add or lack columns (NULL in the files that lack them), or spell a column differently (case, spaces, underscores; read into one column); `files` lists each file's `added`, `missing` and `renamed`",
    fix: "nothing, if that is what the exports are; rename or drop columns in `prepare` when a renamed column means something else",
  },
  "csv.duplicate_header": {
    section: "Warnings (in `results.json`)",
    what: "repeated names (DuckDB compares case-insensitively) were renamed `NAME_2`, …",
    fix: "use the new names, or rename in the export",
  },
  "csv.empty_header": {
    section: "Warnings (in `results.json`)",
    what: "a column had no header and was named `column_N`",
    fix: "refer to it by that name, or fix the header",
  },
  "csv.header_only": {
    section: "Warnings (in `results.json`)",
    what: "a source has a header and no rows",
    fix: "check the export; the run usually fails later with `data.empty`",
  },
  "csv.rejected_rows": {
    section: "Warnings (in `results.json`)",
    what: "some rows had the wrong number of fields or a value of the wrong type and were skipped; `rows` and `first_line` say how many and where ; `4 of 5 data rows are malformed (first at line 3: Expected Number of Columns: 7 Found: 4)`",
    fix: "look at `first_line`; if rows matter, fix the export or force `types:`",
  },
  "csv.repeated_header": {
    section: "Warnings (in `results.json`)",
    what: "header lines inside the data (concatenated exports) were dropped",
    fix: "nothing",
  },
  "data.bad_times": {
    section: "Warnings (in `results.json`)",
    what: "values of a date's `time` column that are not a time of day (`column`, `time_column`, `count`, `example`): `2460` as HHMM, or text that is not a time; their hour is missing (a `(missing)` level, or the rows are dropped with `missing: { categorical: drop }`)",
    fix: "clean the time column in `prepare`, or accept the missing hours",
  },
  "data.constant_feature": {
    section: "Warnings (in `results.json`)",
    what: "a feature has the same value in every row (`column`, `value`): it carries no information",
    fix: "remove it from `features`",
  },
  "data.case_variants": {
    section: "Warnings (in `results.json`)",
    what: 'category values of a feature differ only in letter case (`"BAR" (40), "Bar" (5)`): each spelling is its own level; `column`, `groups`',
    fix: "set `features.fold: { case: true }` to merge them, or clean the column in a prepare step",
  },
  "data.whitespace_variants": {
    section: "Warnings (in `results.json`)",
    what: 'category values of a feature differ only in white space around them (`"PATROL" (30), "PATROL " (4)`); `column`, `groups`',
    fix: "set `features.fold: { whitespace: true }` to merge them, or `trim()` the column in a prepare step",
  },
  "data.duplicate_ids": {
    section: "Warnings (in `results.json`)",
    what: "the study's `id` column holds the same id in several rows (`rows`, `ids`, `examples`): scores and features.parquet rows cannot be told apart by id",
    fix: "deduplicate in a prepare step, or choose a column that is unique",
  },
  "data.rows_dropped": {
    section: "Warnings (in `results.json`)",
    what: "rows left out by the missing-value policy (`missing: drop`) or for a missing target; `reason` and `rows`",
    fix: "choose `missing: category` / `mean` / `median` to keep them",
  },
  "portal.row_count_mismatch": {
    section: "Warnings (in `results.json`)",
    what: "the portal reported a different count than was fetched",
    fix: "fetch again with `--refresh`",
  },
  "portal.schema_change": {
    section: "Warnings (in `results.json`)",
    what: "a portal dataset's columns changed since the last fetch",
    fix: "check the prepare SQL",
  },
  "risk.leakage": {
    section: "Warnings (in `results.json`)",
    what: 'a category nearly fixes the label (e.g. an offense code that means "officer assaulted"): the upper bound of its Wilson 95% interval reaches `leakage.rate` and its lower bound is far above the base rate, whatever its size; `fix` holds the suggested `exclude_rows`',
    fix: 'leave its rows out (`risk.exclude_rows`, or a WHERE in `prepare`) or remove the column; `features.exclude_values` still leaks through "(other)"',
  },
  "risk.leakage_numeric": {
    section: "Warnings (in `results.json`)",
    what: "a numeric feature alone separates the classes (single-feature ROC AUC above `leakage.auc`)",
    fix: "remove it if it is measured after the outcome or derived from it",
  },
  "risk.low_epv": {
    section: "Warnings (in `results.json`)",
    what: "events per variable of the inference model below 10: factor estimates are unstable",
    fix: "merge rare levels (`features.min_frequency`) or use fewer features",
  },
  "risk.aliased": {
    section: "Warnings (in `results.json`)",
    what: "design columns that are exact combinations of others (e.g. a year whose file has no times and `hour = (missing)`): they get no estimate",
    fix: "read the listed combination: the data cannot tell those effects apart; merge or drop one of them",
  },
  "risk.collinear": {
    section: "Warnings (in `results.json`)",
    what: "coefficients with a variance inflation factor above 10",
    fix: "their intervals are wide; merge levels or drop a near-duplicate column",
  },
  "risk.inference_not_converged": {
    section: "Warnings (in `results.json`)",
    what: "the inference model did not converge (maximum likelihood under separation)",
    fix: "use `factors.method: firth`",
  },
  "risk.smote_large": {
    section: "Warnings (in `results.json`)",
    what: "SMOTE asked for on more than a million minority rows (`minority_rows`, `distinct_minority_rows`, `synthetic_rows`, `output_bytes`): every training fold and the final fit build that many synthetic rows",
    fix: "use `resample.method: class_weight` (weights, no new rows) or `random_over` (weights too), or sample the data in the prepare step",
  },
  "risk.model_not_converged": {
    section: "Warnings (in `results.json`)",
    what: "L-BFGS fits of the scoring model reached `model.max_iter` iterations before the largest gradient entry fell to `model.tol` (`max_iter`, `fits`, `not_converged`, and `final` when the final model is one of them): their coefficients and scores are approximate; scikit-learn's ConvergenceWarning",
    fix: "raise `risk.model.max_iter`, or `risk.model.tol` (the gradient is a sum over rows, so large data needs a larger tolerance)",
  },
  "risk.label_drift": {
    section: "Warnings (in `results.json`)",
    what: "the positive rate changes over time (highest period at least `label.drift.ratio` times the lowest, chi-squared p below `label.drift.alpha`)",
    fix: "check that the label's source covers the period (`label.censor_before` / `censor_after`); read the model as describing the pooled period",
  },
  "risk.label_check": {
    section: "Warnings (in `results.json`)",
    what: "rows matched a `label.checks` condition (e.g. positives with no crime report)",
    fix: "read the label with this in mind, or change the prepare SQL",
  },
  "risk.temporal_undated": {
    section: "Warnings (in `results.json`)",
    what: "rows without a date were left out of a temporal split",
    fix: "fill the date in `prepare`, or accept that those rows are neither trained nor tested",
  },
  "segments.missing_area": {
    section: "Warnings (in `results.json`)",
    what: "rows without an area value are left off the map",
    fix: "fill the area in `prepare` if you can",
  },
  "segments.unmatched_areas": {
    section: "Warnings (in `results.json`)",
    what: "area names that match no boundary",
    fix: "add `aliases`",
  },
  "segments.no_structure": {
    section: "Warnings (in `results.json`)",
    what: "k-means separates the data no better than data whose variables were shuffled independently (`results.structure`)",
    fix: "read the clusters as a partition of a continuum, not as types; try other features, weights or `method: lca`",
  },
  "segments.seeds_disagree": {
    section: "Warnings (in `results.json`)",
    what: "repeating the whole choice of k with other seeds picks another k for some of them (`k_choice.seeds`)",
    fix: "treat k as uncertain: compare the neighbouring k, or fix it with `k.fixed` for a reason stated in the study",
  },
  "segments.starts_not_repeated": {
    section: "Warnings (in `results.json`)",
    what: "at the chosen k, the best k-means solution was found by one start only, within `max_init` starts",
    fix: "raise `segments.max_init`; the partition may still improve",
  },
  "segments.dominant_variable": {
    section: "Warnings (in `results.json`)",
    what: "one variable holds more than half of the variance the clustering sees, or of what separates the clusters (`variance_shares`)",
    fix: "check `segments.weights`; if that variable should not decide, lower its weight or leave it out",
  },
  "segments.ecological": {
    section: "Warnings (in `results.json`)",
    what: "area-level columns (neighbourhood demographics) hold half or more of the variance or of the separation: the clusters sort rows by their area",
    fix: "read the clusters as area strata (an ecological reading), not as kinds of people; lower the area columns' weights or leave them out",
  },
  "segments.lca_not_converged": {
    section: "Warnings (in `results.json`)",
    what: "EM of the best latent class start did not meet `lca.tol` within `lca.max_iter` iterations for some numbers of classes",
    fix: "raise `segments.lca.max_iter`; read the fit statistics of those classes as approximate",
  },
  "segments.structure_skipped": {
    section: "Warnings (in `results.json`)",
    what: "too few distinct rows to test the structure against chance",
    fix: "nothing, or add rows",
  },
} as const satisfies Record<string, CodeDoc>;

/** A user-error code. */
export type ErrorCode = keyof typeof ERROR_CODES;
/** A warning code. */
export type WarningCode = keyof typeof WARNING_CODES;
