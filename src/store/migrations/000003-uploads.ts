/**
 * Local files uploaded to EvoLink's files service. Frozen once released, as
 * every migration is.
 *
 * An upload is a stage of its own, not a job state: one file serves every
 * job, take and profile that names it, so it has its own table, keyed by
 * the service's file id, and found by the file's content (sha256). A row is
 * written the moment the service's answer is read, so a crash after it
 * never uploads that file again; a crash before leaves no row, and the
 * upload is simply redone (uploads are not billed).
 */
export const sql = /* sql */ `
CREATE TABLE uploads (
  -- The files service's id for it (data.file_id): what a delete names.
  file_id TEXT PRIMARY KEY,
  -- sha256 (hex) of the bytes uploaded: the file's identity, as in job keys.
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  -- The MIME type sent, from the file's first bytes.
  content_type TEXT NOT NULL,
  -- What the service answered (data.file_url): sent in place of the path, as it came.
  file_url TEXT NOT NULL,
  -- Epoch milliseconds: when the service said it expires, and when its answer was read.
  expires_at_ms INTEGER NOT NULL,
  uploaded_at_ms INTEGER NOT NULL,
  -- When shotlist deleted it at the service (or found it gone); NULL while it may be live.
  deleted_at_ms INTEGER
) WITHOUT ROWID;

-- The live uploads of a file, looked up before every upload.
CREATE INDEX uploads_live ON uploads (sha256, expires_at_ms) WHERE deleted_at_ms IS NULL;
`;
