import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { batchFolder, galleryOf, send, serve } from "./server-helpers.js";

const CLIP = "s1/take-01.mp4";

describe("the review server", () => {
  it("listens on 127.0.0.1 and serves the page to its own address", async () => {
    const { root } = await batchFolder({ [CLIP]: "clip bytes" });
    const { server } = await serve(root);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await send(server, "/", { headers: { host: new URL(server.url).host } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-shot="s1"');
  });

  it("serves the page with the note field of the shot named by ?note=, for a browser without JavaScript", async () => {
    const { root } = await batchFolder({ [CLIP]: "clip bytes" });
    const { server } = await serve(root);
    const headers = { host: new URL(server.url).host };
    expect((await send(server, "/", { headers })).body).not.toContain('<input name="note"');
    expect((await send(server, "/?note=s1", { headers })).body).toContain('<input name="note"');
  });

  // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends its own name as Host.
  it("refuses a request whose Host is not its own address", async () => {
    const { root } = await batchFolder({ [CLIP]: "clip bytes" });
    const { server } = await serve(root);
    const port = new URL(server.url).port;
    for (const host of [`evil.example:${port}`, `localhost:${port}`, "127.0.0.1"]) {
      expect((await send(server, "/", { headers: { host } })).status, host).toBe(421);
    }
  });

  it("refuses a write without its token, with a wrong one, and from another origin", async () => {
    const { root } = await batchFolder({ [CLIP]: "clip bytes" });
    const { server, picks } = await serve(root);
    const host = new URL(server.url).host;
    const form = { "content-type": "application/x-www-form-urlencoded", host };
    expect((await send(server, "/pick", { method: "POST", headers: form, body: "shot=s1&do=approve" })).status).toBe(403);
    expect((await send(server, "/pick", { method: "POST", headers: form, body: "shot=s1&do=approve&token=guess" })).status).toBe(403);
    const foreign = { ...form, origin: "http://evil.example" };
    expect((await send(server, "/pick", { method: "POST", headers: foreign, body: `shot=s1&do=approve&token=${server.token}` })).status).toBe(403);
    expect(picks).toEqual([]);
  });

  it("records a write that carries its token, from a plain form or from the page's script", async () => {
    const { root } = await batchFolder({ [CLIP]: "clip bytes" });
    const { server, picks } = await serve(root);
    const host = new URL(server.url).host;
    const form = await send(server, "/pick", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", host, origin: `http://${host}` },
      body: `shot=s1&do=2&token=${server.token}`,
    });
    expect([form.status, form.headers.location]).toEqual([303, "/#shot-s1"]);
    const script = await send(server, "/pick", {
      method: "POST",
      headers: { "content-type": "application/json", host, "x-shotlist-token": server.token },
      body: JSON.stringify({ shot: "s1", do: "approve" }),
    });
    expect([script.status, script.body]).toEqual([200, "recorded"]);
    expect(picks).toEqual(["s1=2", "s1=approve"]);
  });

  it("serves a clip inside the batch folder, whole or by byte range", async () => {
    const { root } = await batchFolder({ [CLIP]: "clip bytes" });
    const { server } = await serve(root);
    const host = new URL(server.url).host;
    const whole = await send(server, `/files/${CLIP}`, { headers: { host } });
    expect([whole.status, whole.headers["content-type"], whole.body]).toEqual([200, "video/mp4", "clip bytes"]);
    const part = await send(server, `/files/${CLIP}`, { headers: { host, range: "bytes=5-" } });
    expect([part.status, part.headers["content-range"], part.body]).toEqual([206, "bytes 5-9/10", "bytes"]);
  });

  it("refuses a path that climbs out of the batch folder, however it is spelled", async () => {
    const { root } = await batchFolder({ [CLIP]: "clip bytes" });
    const { server } = await serve(root);
    const host = new URL(server.url).host;
    const refused = await send(server, "/files/s1/..%2f..%2fsecret.mp4", { headers: { host } });
    expect([refused.status, refused.body]).toEqual([403, "outside the batch folder"]);
    // Refused before it is looked up: the answer does not tell which files exist out there.
    const absent = await send(server, "/files/s1/..%2f..%2fnothing-here.mp4", { headers: { host } });
    expect(absent.status).toBe(403);
    for (const path of [
      "/files/../secret.mp4",
      "/files/%2e%2e/secret.mp4",
      "/files/s1/..%2f..%2fsecret.mp4",
      `/files/${encodeURIComponent(join(root, "..", "secret.mp4"))}`,
    ]) {
      const answer = await send(server, path, { headers: { host } });
      // A bare ../ is folded away by URL parsing (a 404 for /secret.mp4); the encoded ones reach the check.
      expect(answer.body, path).not.toBe("not yours");
      expect([403, 404], path).toContain(answer.status);
    }
  });

  it("refuses a symlink out of the batch folder and serves one that stays inside", async () => {
    const { root } = await batchFolder({ [CLIP]: "clip bytes" });
    await symlink(join(root, "..", "secret.mp4"), join(root, "s1", "take-02.mp4"));
    await symlink(join(root, CLIP), join(root, "s1", "take-03.mp4"));
    const { server } = await serve(root);
    const host = new URL(server.url).host;
    expect((await send(server, "/files/s1/take-02.mp4", { headers: { host } })).status).toBe(403);
    expect((await send(server, "/files/s1/take-03.mp4", { headers: { host } })).body).toBe("clip bytes");
  });

  it("serves no file of the batch folder that is not a clip or a poster (the state file)", async () => {
    const { root } = await batchFolder({ [CLIP]: "clip bytes", ".shotlist/state.db": "rows" });
    const { server } = await serve(root);
    const answer = await send(server, "/files/.shotlist/state.db", { headers: { host: new URL(server.url).host } });
    expect([answer.status, answer.body]).toEqual([403, "not a clip or a poster"]);
  });

  it("shows a prompt holding a <script> as text, under a policy that runs only its own script", async () => {
    const { root } = await batchFolder({ [CLIP]: "clip bytes" });
    const { server } = await serve(root, galleryOf('<script>alert("owned")</script> & "quotes"'));
    const page = await send(server, "/", { headers: { host: new URL(server.url).host } });
    expect(page.body).toContain("&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;");
    expect(page.body).not.toContain('<script>alert("owned")');
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
  });
});
