/** Where a done job's clip stands in object storage: one row of the `deliveries` table per job and target. */
export type DeliveryState = "uploading" | "delivered" | "failed";

/** One row of the `deliveries` table; columns are the same names. Times are epoch ms. */
export interface DeliveryRow {
  batch: string;
  /** --profile used, "" for none. */
  profile: string;
  /** The job's key. */
  key: string;
  /** The delivery target as given: s3://bucket/prefix. */
  target: string;
  /**
   * uploading: written before the upload starts (a run that finds it knows an upload may be half done);
   * delivered: the clip and its sidecar are in the store, checked; failed: the last upload gave up.
   */
  state: DeliveryState;
  /** The clip's object key in the bucket. */
  object_key: string;
  /** The sha256 hex of the local clip being (or that was) uploaded. */
  sha256: string;
  /** The checksum the store verified and answered, as it spells it (base64 SHA-256, "-N" for a multipart object). */
  checksum: string | null;
  etag: string | null;
  /** Uploads started for this row, over all runs. */
  attempts: number;
  error_message: string | null;
  started_at_ms: number;
  delivered_at_ms: number | null;
  updated_at_ms: number;
}
