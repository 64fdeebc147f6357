import { isAbsolute, relative, resolve, sep } from "node:path";
import { ShotlistError } from "../errors.js";

/**
 * Joins `segments` under `root` and refuses any result outside it. Output
 * paths are built from manifest names and API data (shot ids, profiles), so
 * a `..`, an absolute segment or a NUL byte must never place a file elsewhere.
 * The root itself is allowed.
 */
export function resolveInside(root: string, ...segments: string[]): string {
  const refuse = (why: string): never => {
    throw new ShotlistError("invalid_manifest", `refusing the path ${JSON.stringify(segments.join("/"))} under ${root}: ${why}`);
  };
  if ([root, ...segments].some((s) => s.includes("\0"))) refuse("it contains a NUL byte");
  if (segments.some((s) => isAbsolute(s))) refuse("a part of it is absolute");
  const base = resolve(root);
  const full = resolve(base, ...segments);
  const rel = relative(base, full);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) refuse("it leads outside");
  return full;
}
