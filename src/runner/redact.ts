/**
 * Strips what looks like a credential from JSON that came from outside
 * before it is written to the state file: the value of any field named like
 * a key, a token or a secret, and key-shaped text anywhere (`sk-...`,
 * `Bearer ...`). A callback's body is anyone's text: it must not carry a
 * key into a file that gets shared.
 */

const SECRET_NAME = /key|token|secret|passw|authori[sz]ation|signature|credential|cookie/i;
const SECRET_TEXT = /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{6,}|\bBearer\s+\S+/gi;
export const REDACTED = "[redacted]";

export function redactKeyLike(value: unknown): unknown {
  if (typeof value === "string") return value.replace(SECRET_TEXT, REDACTED);
  if (Array.isArray(value)) return value.map(redactKeyLike);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, SECRET_NAME.test(name) ? REDACTED : redactKeyLike(inner)]));
}
