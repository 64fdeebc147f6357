import type { z } from "zod";
import type { Problem } from "../errors.js";
import { keysAt } from "./schema.js";
import { closest } from "./suggest.js";
import { fieldName, problemAt, show } from "./problem.js";
import type { Source } from "./source.js";

/** Turns zod's issues into located problems with messages written for people. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], source: Source): Problem[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => problemAt(source, [...issue.path, key], unknownKey(key, keysAt(issue.path)), { at: "key" }));
    }
    if (issue.code === "invalid_key") {
      const inner = issue.issues[0]?.message ?? issue.message;
      return [problemAt(source, issue.path, `${fieldName(issue.path.slice(0, -1))} name ${show(issue.path.at(-1))} ${inner}`, { at: "key" })];
    }
    const field = fieldName(issue.path) || "manifest";
    const message = issue.input === undefined ? `${field} is required` : `${field} ${issue.message} (got ${show(issue.input)})`;
    return [problemAt(source, issue.path, message)];
  });
}

function unknownKey(key: string, allowed: readonly string[]): string {
  const hint = closest(key, allowed);
  return hint === undefined ? `unknown key ${show(key)}; expected one of: ${allowed.join(", ")}` : `unknown key ${show(key)}; did you mean ${show(hint)}?`;
}
