import { checkBaseUrl } from "../api/index.js";
import { ShotlistError } from "../errors.js";

const DEFAULT_BASE_URL = "https://api.evolink.ai";

/** Where the API is and the key for it, from the environment (EVOLINK_API_KEY, EVOLINK_BASE_URL). */
export function apiEndpoint(env: NodeJS.ProcessEnv, hint = ""): { baseUrl: string; apiKey: string } {
  const apiKey = env.EVOLINK_API_KEY?.trim();
  if (apiKey === undefined || apiKey === "") throw new ShotlistError("missing_api_key", `EVOLINK_API_KEY is not set: export EVOLINK_API_KEY=<your key>${hint}`);
  return { baseUrl: checkBaseUrl(env.EVOLINK_BASE_URL?.trim() || DEFAULT_BASE_URL), apiKey };
}
