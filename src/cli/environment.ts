/**
 * The environment variables the commands read, for the Environment section
 * of each command's help. `by` says who reads one: shotlist's own code, or
 * the AWS SDK's default credential chain (shotlist never reads those itself).
 */
export const ENVIRONMENT = {
  EVOLINK_API_KEY: { by: "shotlist", help: "the EvoLink API key (never printed or written to a file)" },
  EVOLINK_BASE_URL: { by: "shotlist", help: "the API's address [default: https://api.evolink.ai]; plain http only to this machine" },
  EVOLINK_FILES_URL: { by: "shotlist", help: "the files API's address, for local media files [default: https://files-api.evolink.ai]" },
  AWS_ENDPOINT_URL_S3: { by: "shotlist", help: "delivery: the store's S3 endpoint when the manifest names none" },
  AWS_ENDPOINT_URL: { by: "shotlist", help: "delivery: the endpoint when neither the manifest nor AWS_ENDPOINT_URL_S3 names one" },
  AWS_ACCESS_KEY_ID: { by: "the AWS SDK", help: "delivery: the store's access key id, with AWS_SECRET_ACCESS_KEY" },
  AWS_SECRET_ACCESS_KEY: { by: "the AWS SDK", help: "delivery: the store's secret" },
  AWS_SESSION_TOKEN: { by: "the AWS SDK", help: "delivery: a session token, for temporary credentials" },
  AWS_PROFILE: { by: "the AWS SDK", help: "delivery: the profile of ~/.aws/credentials and ~/.aws/config to use" },
  AWS_REGION: { by: "the AWS SDK", help: "delivery: the store's region when the manifest names none" },
  PATH: { by: "shotlist", help: "where ffmpeg and ffprobe are looked for" },
} as const satisfies Record<string, { by: "shotlist" | "the AWS SDK"; help: string }>;

export type EnvName = keyof typeof ENVIRONMENT;

/** What --deliver reads: its endpoint from shotlist, its credentials and region through the SDK. */
export const DELIVER_ENVIRONMENT = [
  "AWS_ENDPOINT_URL_S3",
  "AWS_ENDPOINT_URL",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_REGION",
] as const satisfies readonly EnvName[];

/** A command line shown under Examples, and what it does. */
export interface Example {
  line: string;
  does: string;
}

/** The Examples and Environment sections of a command's help. */
export function exampleAndEnvironmentLines(examples: readonly Example[], environment: readonly EnvName[]): string[] {
  const width = Math.max(0, ...environment.map((name) => name.length));
  return [
    "Examples:",
    ...examples.flatMap((e) => [`  ${e.line}`, `      ${e.does}`]),
    "",
    "Environment:",
    ...(environment.length === 0
      ? ["  none: this command reads no environment variable"]
      : environment.map((name) => `  ${name.padEnd(width)}  ${ENVIRONMENT[name].help}`)),
    "",
  ];
}
