import { describe, expect, it } from "vitest";
import { batchOf, errorsOf, yaml } from "./helpers.js";

const withDeliver = (deliver: string): string => yaml`
  version: 1
  name: test
  model: seedance-1.5-pro
  deliver: ${deliver}
  shots:
    - { id: s01, prompt: "A lighthouse" }
`;

describe("the manifest's deliver", () => {
  it("carries the target and the store's settings into the batch", () => {
    const batch = batchOf(withDeliver("{ to: s3://clips/nightly, endpoint: 'http://127.0.0.1:9000', region: auto, path_style: true }"));

    expect(batch.deliver).toEqual({ to: "s3://clips/nightly", endpoint: "http://127.0.0.1:9000", region: "auto", pathStyle: true });
  });

  it("refuses a target that is not s3://BUCKET/PREFIX, at its place", () => {
    expect(errorsOf(withDeliver("{ to: 'gs://clips/nightly' }"))).toEqual([
      'shots.yaml:4:16: deliver.to must be s3://BUCKET/PREFIX (got "gs://clips/nightly")',
    ]);
  });

  it("refuses a bucket name S3 would not take", () => {
    expect(errorsOf(withDeliver("{ to: 's3://My_Bucket/x' }"))).toEqual([
      'shots.yaml:4:16: deliver.to names the bucket "My_Bucket": a bucket name is 3 to 63 of a-z 0-9 . - (got "s3://My_Bucket/x")',
    ]);
  });

  it("suggests the key that was meant inside deliver", () => {
    expect(errorsOf(withDeliver("{ to: 's3://clips/x', pathstyle: true }"))).toEqual(['shots.yaml:4:32: unknown key "pathstyle"; did you mean "path_style"?']);
  });
});
