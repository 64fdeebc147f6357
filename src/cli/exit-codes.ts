import { ShotlistError, type ErrorCode } from "../errors.js";

/** The exit codes every command uses; documented in the README. */
export const EXIT = {
  ok: 0,
  /** The run finished but some shots failed. */
  failedShots: 1,
  /** Invalid input or usage: nothing was sent. */
  invalid: 2,
  /** Could not run: auth, quota, locked state, unreachable API. */
  cannotRun: 3,
  interrupted: 130,
} as const;

const BY_CODE: Record<ErrorCode, number> = {
  usage: EXIT.invalid,
  invalid_manifest: EXIT.invalid,
  missing_api_key: EXIT.cannotRun,
  auth: EXIT.cannotRun,
  quota: EXIT.cannotRun,
  api_unreachable: EXIT.cannotRun,
  state_locked: EXIT.cannotRun,
  state_invalid: EXIT.cannotRun,
  disk: EXIT.cannotRun,
  storage: EXIT.cannotRun,
  missing_tool: EXIT.cannotRun,
  interrupted: EXIT.interrupted,
  callback_listen: EXIT.cannotRun,
  // Like failed shots: the run did what it could; a rerun with a larger cap carries on.
  budget: EXIT.failedShots,
  not_offered: EXIT.cannotRun,
  internal: EXIT.cannotRun,
};

export function exitCodeFor(err: unknown): number {
  return err instanceof ShotlistError ? BY_CODE[err.code] : EXIT.cannotRun;
}
