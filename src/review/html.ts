/**
 * The one escape for everything a page shows: prompts, notes, API messages,
 * ids and paths all come from outside and pass through here on output.
 */
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe inside an element or a quoted attribute. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A path relative to a folder as a URL path: each segment percent-encoded, the separators kept. */
export function urlPath(relativePath: string): string {
  return relativePath.split(/[\\/]/).map(encodeURIComponent).join("/");
}
