/**
 * The structure check a saved clip passes before it takes its final name.
 * HTTP can only hold a body to its own Content-Length: a host that announces
 * half the file and sends that half looks complete to it. The clip's own
 * boxes (MP4) or elements (WebM) say how long it must be, and what it must hold.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { fileSource } from "./byte-source.js";
import { mp4Problems } from "./mp4-structure.js";
import { isWebmHead } from "./sniff.js";
import { webmProblems } from "./webm-structure.js";

export type Structure = { ok: true } | { ok: false; reason: string };

/** Reads the file at `path` by its headers only; throws what the file system throws. */
export function checkClipStructure(path: string): Structure {
  const fd = openSync(path, "r");
  try {
    const src = fileSource(fd, fstatSync(fd).size);
    const problems = isWebmHead(src.read(0, 4)) ? webmProblems(src) : mp4Problems(src);
    return problems.length === 0 ? { ok: true } : { ok: false, reason: problems.join("; ") };
  } finally {
    closeSync(fd);
  }
}
