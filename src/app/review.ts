/**
 * `shotlist review`: the gallery of a batch as the state file has it, served
 * on 127.0.0.1 or written once as review.html. The state is read without its
 * lock (a run may be going on beside it) and read again for every page, as
 * are the manifest and the picks, so the page follows the run and the edits.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ShotlistError } from "../errors.js";
import { batchDir } from "../deliver/index.js";
import { writeFileDurably } from "../download/index.js";
import { ffmpegIfInstalled } from "../review/ffmpeg.js";
import { buildGallery, type Gallery } from "../review/gallery.js";
import { renderPage } from "../review/page.js";
import { picksPathFor, readPicks } from "../review/picks.js";
import { startReviewServer, type ReviewServer } from "../review/server.js";
import { currentShotHashes } from "./approved.js";
import { recordPicks } from "./picks.js";
import { readStatus } from "./status.js";

export interface ReviewLocation {
  manifestPath: string;
  profile?: string;
  outDir: string;
  statePath?: string;
}

/** The gallery now, and the batch folder its clips are in. */
export async function readGallery(location: ReviewLocation): Promise<{ gallery: Gallery; root: string }> {
  const status = await readStatus(location);
  const [picks, hashes] = await Promise.all([readPicks(picksPathFor(location.manifestPath)), currentShotHashes(location.manifestPath, status.batch)]);
  return { gallery: buildGallery(status.batch, status.jobs, picks, hashes), root: batchDir(resolve(location.outDir), status.batch.name) };
}

/** Writes review.html into the batch folder: read-only, links relative to the clips, works from file://. */
export async function writeStaticReview(location: ReviewLocation): Promise<string> {
  const { gallery, root } = await readGallery(location);
  mustHaveRun(root);
  const path = join(root, "review.html");
  await writeFileDurably(path, renderPage(gallery, { kind: "static" }));
  return path;
}

function mustHaveRun(root: string): void {
  if (!existsSync(root)) throw new ShotlistError("usage", `nothing to review: no batch folder ${root} yet (run the manifest first, or give its --out)`);
}

export async function serveReview(location: ReviewLocation & { port?: number; onError: (err: Error) => void }): Promise<ReviewServer> {
  const { root } = await readGallery(location);
  mustHaveRun(root);
  const tools = await ffmpegIfInstalled();
  // One decision at a time: each reads the picks file, changes it and replaces it.
  let writes = Promise.resolve<unknown>(undefined);
  return startReviewServer({
    root,
    ...(location.port === undefined ? {} : { port: location.port }),
    ...(tools === undefined ? {} : { tools }),
    gallery: async () => (await readGallery(location)).gallery,
    pick: (shotId, what, note) => {
      const next = writes.then(() => recordPicks(location.manifestPath, location.profile, [{ shotId, what, ...(note === undefined ? {} : { note }) }]));
      writes = next.catch(() => undefined);
      return next.then((said) => said.join("\n"));
    },
    onError: location.onError,
  });
}
