/**
 * Which manifest each batch was run from. Frozen once released, as every
 * migration is.
 *
 * A batch is named by the manifest's `name`, so two manifests with the same
 * name on one output folder share its state file and its clip paths: a shot
 * of one takes the other's place (moved to history/). Sharing a folder can be
 * meant, so it is not refused; the run warns when the batch was last run
 * from another manifest.
 */
export const sql = /* sql */ `
-- One row per manifest that ran a batch (and profile).
CREATE TABLE batches (
  -- Batch name (manifest "name") and the --profile used, '' for none, as in jobs.
  batch TEXT NOT NULL,
  profile TEXT NOT NULL,
  -- The manifest's path with symlinks and relative parts resolved: what is compared.
  manifest_resolved TEXT NOT NULL,
  -- The path as it was given on the command line the last time, for messages.
  manifest_path TEXT NOT NULL,
  -- Epoch milliseconds: the first and the latest run from this manifest.
  first_run_at_ms INTEGER NOT NULL,
  last_run_at_ms INTEGER NOT NULL,
  PRIMARY KEY (batch, profile, manifest_resolved)
) WITHOUT ROWID;
`;
