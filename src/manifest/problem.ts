import type { Problem } from "../errors.js";
import type { Path, Source } from "./source.js";

/** Builds a Problem located in the manifest at `path`, naming the shot it belongs to. */
export function problemAt(source: Source, path: Path, message: string, options: { severity?: Problem["severity"]; at?: "key" | "value" } = {}): Problem {
  const { line, col } = options.at === "key" ? source.keyAt(path) : source.valueAt(path);
  const problem: Problem = { file: source.file, line, col, message, severity: options.severity ?? "error" };
  const shotId = shotIdAt(source.data, path);
  if (shotId !== undefined) problem.shotId = shotId;
  return problem;
}

/** The id of the shot `path` points into: as written, or its position when it has none. */
function shotIdAt(data: unknown, path: Path): string | undefined {
  const [head, index] = path;
  if (head !== "shots" || typeof index !== "number") return undefined;
  const shots = (data as { shots?: unknown } | null)?.shots;
  const id = Array.isArray(shots) ? (shots[index] as { id?: unknown } | undefined)?.id : undefined;
  return typeof id === "string" && id.length > 0 ? show(id, 64, false) : `#${index + 1}`;
}

/** The field a path names, as a user would write it: `image_urls[1]`, `profiles.draft.quality`. */
export function fieldName(path: Path): string {
  const inShot = path[0] === "shots" && typeof path[1] === "number";
  const rest = inShot ? path.slice(2) : path;
  return rest.reduce<string>((name, segment) => {
    if (typeof segment === "number") return `${name}[${segment}]`;
    return name === "" ? String(segment) : `${name}.${String(segment)}`;
  }, "");
}

/** A value as it came, short enough for a message: a 10 MB string is not echoed back. */
export function show(value: unknown, max = 60, quote = true): string {
  const text = typeof value === "string" && !quote ? value : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}
