/**
 * Delivery to object storage (s3://). Frozen once released, as every migration is.
 *
 * A delivery is a stage after the local save, not a job state: `done` keeps
 * meaning "saved locally", and the upload's progress lives here, written
 * before and after each upload, so a run killed between the local save and
 * the upload resumes only the upload, and a rerun of a delivered batch sends
 * nothing.
 */
export const sql = /* sql */ `
CREATE TABLE deliveries (
  -- The job, as in jobs.
  batch TEXT NOT NULL,
  profile TEXT NOT NULL,
  key TEXT NOT NULL,
  -- Where to, as given: s3://bucket/prefix (never an endpoint or a credential).
  target TEXT NOT NULL,
  -- uploading: written before the upload (one may be half done); delivered: clip and sidecar in the store; failed: gave up this run.
  state TEXT NOT NULL CHECK (state IN ('uploading', 'delivered', 'failed')),
  -- The clip's object key in the bucket.
  object_key TEXT NOT NULL,
  -- sha256 hex of the local clip uploaded.
  sha256 TEXT NOT NULL,
  -- The checksum the store verified and answered (base64 SHA-256; "-N" for N parts), and its ETag.
  checksum TEXT,
  etag TEXT,
  -- Uploads started for this job and target, over all runs.
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Why the last upload failed.
  error_message TEXT,
  -- Epoch milliseconds: the last upload's start, its success, the last row change.
  started_at_ms INTEGER NOT NULL,
  delivered_at_ms INTEGER,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (batch, profile, key, target),
  FOREIGN KEY (batch, profile, key) REFERENCES jobs (batch, profile, key)
) WITHOUT ROWID;
`;
