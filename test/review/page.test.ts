import { describe, expect, it } from "vitest";
import { renderPage } from "../../src/review/page.js";
import { galleryOf, takeView } from "./server-helpers.js";

const SERVER = { kind: "server", token: "tok", filter: "all", hasPoster: () => false } as const;

describe("the gallery page", () => {
  it("holds every shot id and one video per rendered take, none for a take still rendering", () => {
    const html = renderPage(galleryOf("p", [takeView(1), takeView(2, { state: "generating", progress: 40, clip: null })]), SERVER);
    expect(html.match(/<video /g)).toHaveLength(1);
    expect(html).toContain('data-shot="s1"');
    expect(html).toContain('<progress max="100" value="40">');
    expect(html).toContain("<figcaption>take 2 · generating 40%</figcaption>");
  });

  it("has one note field, for the shot asked for (?note=); every other shot links to its own", () => {
    const gallery = galleryOf();
    const twoShots = { ...gallery, shots: [...gallery.shots, { ...gallery.shots[0]!, id: "s2" }] };
    const html = renderPage(twoShots, { ...SERVER, noteFor: "s2" });
    expect(html.match(/<input name="note"/g)).toHaveLength(1);
    expect(html).toMatch(
      /<form class="note-form" method="post" action="\/pick"><input type="hidden" name="token" value="tok"><input type="hidden" name="shot" value="s2">/,
    );
    expect(html).toContain('<a class="note-edit" href="/?note=s1#shot-s1">add a note</a>');
    expect(renderPage(twoShots, { ...SERVER, filter: "to review" })).toContain('href="/?filter=to+review&amp;note=s2#shot-s2"');
  });

  it("says how to fix a policy failure", () => {
    const error = { class: "policy", code: "content_policy_violation", message: "<b>refused</b>", hint: "reword the prompt" } as const;
    const html = renderPage(galleryOf("p", [takeView(1, { state: "failed", clip: null, error })]), SERVER);
    expect(html).toContain('policy · content_policy_violation: &lt;b&gt;refused&lt;/b&gt;<br><span class="hint">reword the prompt</span>');
  });

  it("as review.html: clips linked relative to the batch folder, no script, no token, no forms", () => {
    const html = renderPage(galleryOf("p", [takeView(1, { clip: "draft/s 1/take-01.mp4" })]), { kind: "static" });
    expect(html).toContain('src="draft/s%201/take-01.mp4"');
    expect(html).not.toMatch(/<script|<form|shotlist-token/);
  });

  it("under a filter lists only the shots it matches", () => {
    const html = renderPage(galleryOf(), { ...SERVER, filter: "approved" });
    expect(html).not.toContain('data-shot="s1"');
    expect(html).toContain("no shot under “approved”");
  });
});
