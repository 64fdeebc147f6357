/**
 * The first schema. Frozen once released: later changes are new numbered
 * files, never edits here, because state files in the wild were built by it.
 *
 * One `state` column holds where each job stands (the names of JobState in
 * src/runner/states.ts); everything the runner needs to resume after a crash
 * is on the job's row, and `events` keeps the history that led there.
 */
export const sql = /* sql */ `
-- Marks the file as a shotlist state file ("SHOT"), so another program's
-- SQLite database is refused instead of migrated into.
PRAGMA application_id = 1397247828;

CREATE TABLE jobs (
  -- Batch name (manifest "name"): the output folder.
  batch TEXT NOT NULL,
  -- The --profile used, '' for none. A draft and a final of the same shot are
  -- different renders, so the profile is part of the identity.
  profile TEXT NOT NULL,
  -- Stable job key from the manifest expansion: a hash of the request and take.
  key TEXT NOT NULL,
  -- Shot id as written in the manifest, for messages and reports.
  shot_id TEXT NOT NULL,
  -- 1-based take number.
  take INTEGER NOT NULL CHECK (take >= 1),
  -- text-to-video | image-to-video | first-last-frame | reference.
  mode TEXT NOT NULL,
  -- The create request body, JSON: exactly what is POSTed.
  request_json TEXT NOT NULL,
  -- sha256 hex of the prompt.
  prompt_hash TEXT NOT NULL,
  -- Where the job stands. Written before each side effect (submitting before
  -- the create is sent) so a crash leaves a trace to resume from.
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN (
    'queued', 'submitting', 'unknown', 'generating', 'completed',
    'done', 'failed', 'expired', 'cancelled'
  )),
  -- Task id of the current attempt, once the API answered the create.
  task_id TEXT,
  -- Create requests sent for this job over all runs: what was paid for.
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Tasks the API confirmed creating for this job, over all runs. Part of the
  -- Idempotency-Key: a resend of an unanswered create reuses it, a deliberate
  -- retry after a failed task gets a new one.
  generation INTEGER NOT NULL DEFAULT 0 CHECK (generation >= 0),
  -- How the last failure was classified (ErrorClass), and what the API said.
  error_class TEXT,
  error_code TEXT,
  error_message TEXT,
  -- Progress 0..100 of the current task, as last polled.
  progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  -- Credits the API reserved for the current task.
  credits_reserved REAL,
  -- Result URL of the finished task, and when it stops working.
  result_url TEXT,
  result_expires_at_ms INTEGER,
  -- Saved file relative to the batch folder, its size and sha256 hex.
  output_path TEXT,
  bytes INTEGER,
  sha256 TEXT,
  -- Epoch milliseconds: first seen, create answered, task final, file saved,
  -- last row change.
  created_at_ms INTEGER NOT NULL,
  submitted_at_ms INTEGER,
  finished_at_ms INTEGER,
  done_at_ms INTEGER,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (batch, profile, key)
) WITHOUT ROWID;

-- A resumed run looks only at the jobs that still need work; in a finished
-- batch that is none of them, so the index stays small.
CREATE INDEX jobs_unfinished ON jobs (batch, profile, state)
  WHERE state NOT IN ('done', 'failed', 'expired', 'cancelled');

-- Append-only history of every job; rows are never updated or deleted.
CREATE TABLE events (
  -- Insertion order: the order things happened in.
  id INTEGER PRIMARY KEY,
  -- The job the event belongs to.
  batch TEXT NOT NULL,
  profile TEXT NOT NULL,
  key TEXT NOT NULL,
  -- When it happened, epoch milliseconds.
  at_ms INTEGER NOT NULL,
  -- The state move, or both NULL for an event that is not one.
  from_state TEXT,
  to_state TEXT,
  -- What happened: 'created', 'transition', 'poll-error', 'retry', ...
  kind TEXT NOT NULL,
  -- Free-form details, JSON. Callers never put the API key here.
  detail_json TEXT,
  FOREIGN KEY (batch, profile, key) REFERENCES jobs (batch, profile, key)
);
CREATE INDEX events_job ON events (batch, profile, key, id);

-- At most one row: the runner that holds the state file. Two runners on one
-- state would pay for the same job twice.
CREATE TABLE lock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  -- pid@hostname#random: unique per opened store, even within one process.
  owner TEXT NOT NULL,
  -- Process and host of the holder: on the same host a dead pid frees the
  -- lock at once; elsewhere only a stale heartbeat does.
  pid INTEGER NOT NULL,
  hostname TEXT NOT NULL,
  -- When it was taken, and when the holder last said it is alive.
  acquired_at_ms INTEGER NOT NULL,
  heartbeat_ms INTEGER NOT NULL
);
`;
