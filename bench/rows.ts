/**
 * Every row producer of `npm run bench`, in the order the table prints them.
 * A stage that adds its own rows adds one line here, pointing at its own file
 * under bench/ (a RowProducer: lib.ts).
 */
import { inflight1000, inflight5000 } from "./inflight.js";
import type { RowProducer } from "./lib.js";
import { callbacks } from "./callbacks.js";
import { delivery } from "./delivery.js";
import { manifest100k, manifest10k } from "./manifest-scale.js";
import { realistic } from "./realistic.js";
import { reviewPaint } from "./review-paint.js";
import { downloadRows, loopbackIdeal, overheadAndResume } from "./scenarios.js";

export const ROWS: RowProducer[] = [
  loopbackIdeal,
  realistic,
  inflight1000,
  inflight5000,
  manifest10k,
  manifest100k,
  downloadRows,
  delivery,
  callbacks,
  reviewPaint,
  overheadAndResume,
];
