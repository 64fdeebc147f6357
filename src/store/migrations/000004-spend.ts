/**
 * The spend runs a credit cap counts in. Frozen once released, as every
 * migration is.
 *
 * A spend run is "this run" for `run --max-credits`: it starts with the
 * first `run` of a batch (and profile) that finds none open, and ends when a
 * run finishes its work (nothing left to send, not interrupted, not stopped).
 * A run that is killed, interrupted or stopped by the cap leaves it open, so
 * the next run goes on counting the credits already reserved in it.
 */
export const sql = /* sql */ `
CREATE TABLE spend_runs (
  -- Batch name (manifest "name") and the --profile used, '' for none, as in jobs.
  batch TEXT NOT NULL,
  profile TEXT NOT NULL,
  -- Epoch milliseconds: tasks created from then on count toward the run's cap.
  started_at_ms INTEGER NOT NULL,
  -- When a run finished the batch's work; NULL while the spend run is open.
  ended_at_ms INTEGER,
  PRIMARY KEY (batch, profile, started_at_ms)
) WITHOUT ROWID;
`;
