import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { formatProblem } from "../../src/errors.js";
import { checkRemoteUrls } from "../../src/manifest/remote-urls.js";
import { manifestSchema } from "../../src/manifest/schema.js";
import { parseSource, type Source } from "../../src/manifest/source.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A media host on loopback: each path answers as its name says, and counts the requests it got. */
async function mediaHost(): Promise<{ url: string; asked: Map<string, string[]> }> {
  const asked = new Map<string, string[]>();
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    asked.set(path, [...(asked.get(path) ?? []), req.method ?? ""]);
    if (path === "/frame.png") return res.writeHead(200, { "content-type": "image/png", "content-length": "2048" }).end();
    if (path === "/page.png") return res.writeHead(200, { "content-type": "text/html" }).end();
    if (path === "/huge.png") return res.writeHead(200, { "content-type": "image/png", "content-length": String(12 * 1024 * 1024) }).end();
    if (path === "/no-head.png") {
      if (req.method === "HEAD") return res.writeHead(405).end();
      return res.writeHead(206, { "content-type": "image/png", "content-range": "bytes 0-0/4096" }).end("x");
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

/** The manifest as the checker sees it once its text passed (loopback URLs would not pass the text check, so the schema alone reads it here). */
function manifestWith(images: string[]): { manifest: ReturnType<typeof manifestSchema.parse>; source: Source } {
  const shots = images.map((url, i) => `  - id: s${i + 1}\n    prompt: "Shot ${i + 1}"\n    image: ${url}`);
  const parsed = parseSource(["version: 1", "name: urls", "model: seedance-1.5-pro", "shots:", ...shots, ""].join("\n"), "shots.yaml");
  if (!parsed.ok) throw new Error("test manifest does not parse");
  return { manifest: manifestSchema.parse(parsed.source.data), source: parsed.source };
}

describe("validate --check-urls", () => {
  it("asks each distinct URL once, and passes an image that is reachable and small enough", async () => {
    const host = await mediaHost();
    const { manifest, source } = manifestWith([`${host.url}/frame.png`, `${host.url}/frame.png`]);

    expect(await checkRemoteUrls(manifest, source)).toEqual([]);
    expect(host.asked.get("/frame.png")).toEqual(["HEAD"]);
  });

  it("falls back to a ranged GET when HEAD is refused, and reads the size from Content-Range", async () => {
    const host = await mediaHost();
    const { manifest, source } = manifestWith([`${host.url}/no-head.png`]);

    expect(await checkRemoteUrls(manifest, source)).toEqual([]);
    expect(host.asked.get("/no-head.png")).toEqual(["HEAD", "GET"]);
  });

  it("says, at each use, which URL is unreachable, not an image, or over the model's size limit", async () => {
    const host = await mediaHost();
    const { manifest, source } = manifestWith([`${host.url}/gone.png`, `${host.url}/page.png`, `${host.url}/huge.png`]);

    expect((await checkRemoteUrls(manifest, source)).map(formatProblem)).toEqual([
      `shots.yaml:7:12 shot s1: image "${host.url}/gone.png" is not reachable: HTTP 404 to HEAD and to a ranged GET`,
      `shots.yaml:10:12 shot s2: image "${host.url}/page.png" serves "text/html", not image/*`,
      `shots.yaml:13:12 shot s3: image "${host.url}/huge.png" is 12 MB by its server; at most 10 MB is taken here`,
    ]);
  });
});
