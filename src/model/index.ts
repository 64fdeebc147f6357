/** The vocabulary every folder shares: job states and their legal moves, rows, events. Imports nothing above it. */
export { JOB_STATES, FINAL_STATES, IN_FLIGHT_STATES, canTransition, isJobState, legalMoves, type JobState } from "./states.js";
export { EVENT_KINDS, type EventKind } from "./event-kinds.js";
export type { JobRow, EventRow, ErrorClass, JobId, EventInput, Mode } from "./rows.js";
export type { DeliveryRow, DeliveryState } from "./delivery.js";
