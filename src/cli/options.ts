/** Option rows more than one command shares. */
import type { BooleanRow, OptionTable, StringRow } from "./option-table.js";

export const PROFILE_OPTION = {
  flag: "profile",
  kind: "string",
  arg: "NAME",
  help: "apply a named profile from the manifest (e.g. `draft`)",
} as const satisfies StringRow;

/** Which shots a command works on (src/manifest/select.ts); named as loadBatch names them, so `...SELECTION_OPTIONS` rows pass straight through. */
export const SELECTION_OPTIONS = {
  only: { flag: "only", kind: "string", arg: "PATTERN[,PATTERN]", help: "only the shots whose id matches one of these globs (`*`, `?`, `[1-3]`)" },
  except: { flag: "except", kind: "string", arg: "PATTERN[,...]", help: "leave out the shots whose id matches one of these globs" },
} as const satisfies OptionTable;

/** Where a batch's run lives, shared by `run` and `status`; named as the app's options name them. */
export const BATCH_LOCATION_OPTIONS = {
  profile: PROFILE_OPTION,
  outDir: { flag: "out", kind: "string", arg: "DIR", default: "./out", help: "output folder" },
  statePath: { flag: "state", kind: "string", arg: "FILE", default: { text: "`<out>/<batch>/.shotlist/state.db`" }, help: "the state database" },
} as const satisfies OptionTable;

/** `run --approved`, `plan --approved`: only the shots the picks file approves. */
export const APPROVED_OPTION = {
  flag: "approved",
  kind: "boolean",
  help: "only the shots approved (or with a chosen take) in `<manifest>.picks.yaml`; lists the others",
} as const satisfies BooleanRow;
/** --json: every command's machine output, in the one schema of src/report/json-schema.ts; an error is JSON on stdout too. */
export const JSON_OPTION = { flag: "json", kind: "boolean", help: "print JSON for machines (README: JSON output)" } as const satisfies BooleanRow;
