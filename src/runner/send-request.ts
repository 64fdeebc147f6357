/**
 * What is POSTed for a job, built at send time from the request the manifest
 * gave (stored as `request_json`). A job's key is a function of the manifest
 * alone, so what only exists once the run is under way (an uploaded file's
 * URL, the run's callback URL) is added here, by steps, and never stored as
 * the job's request.
 */
import type { CreateRequest } from "../api/index.js";
import type { JobRow } from "../model/index.js";

/** One addition to what is sent: returns the request to send (a new object, the input left as it was). */
export type RequestStep = (request: CreateRequest, job: JobRow) => CreateRequest;

export function resolveRequest(job: JobRow, steps: readonly RequestStep[]): CreateRequest {
  let request = JSON.parse(job.request_json) as CreateRequest;
  for (const step of steps) request = step(request, job);
  return request;
}
