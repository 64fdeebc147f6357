/** Option rows more than one command shares. */
import type { BooleanRow, OptionTable, StringRow } from "./option-table.js";

export const PROFILE_OPTION = {
  flag: "profile",
  kind: "string",
  arg: "NAME",
  help: "apply a named profile from the manifest (e.g. `draft`)",
} as const satisfies StringRow;

/** Where a batch's run lives, shared by `run` and `status`; named as the app's options name them. */
export const BATCH_LOCATION_OPTIONS = {
  profile: PROFILE_OPTION,
  outDir: { flag: "out", kind: "string", arg: "DIR", default: "./out", help: "output folder" },
  statePath: { flag: "state", kind: "string", arg: "FILE", default: { text: "`<out>/<batch>/.shotlist/state.db`" }, help: "the state database" },
} as const satisfies OptionTable;

/** --json: every command's machine output, in the one schema of src/report/json-schema.ts; an error is JSON on stdout too. */
export const JSON_OPTION = { flag: "json", kind: "boolean", help: "print JSON for machines (README: JSON output)" } as const satisfies BooleanRow;
