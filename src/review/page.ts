import { createHash } from "node:crypto";
import { FILTERS, shownUnder, type Filter, type Gallery, type ShotView, type TakeView } from "./gallery.js";
import { escapeHtml as h, urlPath } from "./html.js";
import { decimal } from "../report/format-summary.js";
import { PAGE_CSS } from "./page-style.js";

/**
 * The gallery as one HTML page, complete without JavaScript: every shot id,
 * one <video> per rendered take, and plain forms that post decisions. The
 * server's page loads app.js for the keyboard, live refresh and saving
 * without a reload; the static page (review --static) is a read-only contact
 * sheet whose links are relative to the batch folder.
 */
export type PageMode = ServerPage | { kind: "static" };

interface ServerPage {
  kind: "server";
  token: string;
  filter: Filter;
  hasPoster: (clip: string) => boolean;
  /** The shot whose note field is open (`?note=`, the page without JavaScript): one text field, not one per shot. */
  noteFor?: string;
}

export function renderPage(gallery: Gallery, mode: PageMode): string {
  const title = `${gallery.batch}${gallery.profile === null ? "" : ` (${gallery.profile})`} · shotlist review`;
  const filter = mode.kind === "server" ? mode.filter : "all";
  const shots = gallery.shots.filter((shot) => shownUnder(shot, filter));
  const head = [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${h(title)}</title>`,
    `<style>${PAGE_CSS}</style>`,
    ...(mode.kind === "server" ? [`<meta name="shotlist-token" content="${h(mode.token)}">`, '<script src="/app.js" defer></script>'] : []),
  ];
  return [
    "<!doctype html>",
    '<html lang="en">',
    `<head>${head.join("")}</head>`,
    `<body data-mode="${mode.kind}">`,
    `<header><h1>${h(title)}</h1>${counts(gallery)}${mode.kind === "server" ? filterLinks(filter) : ""}</header>`,
    `<main id="shots">`,
    ...shots.map((shot) => shotSection(shot, mode)),
    shots.length === 0 ? `<p class="empty">no shot ${filter === "all" ? "in this batch" : `under “${h(filter)}”`}</p>` : "",
    "</main>",
    mode.kind === "server" ? `<footer>keys: j/k move · 1-9 pick a take · a approve · r reject · u undo · n note</footer>` : "",
    "</body></html>",
  ].join("\n");
}

function counts(gallery: Gallery): string {
  const tally = (filter: Filter): number => gallery.shots.filter((shot) => shownUnder(shot, filter)).length;
  const parts = FILTERS.slice(1).map((f) => `${tally(f)} ${f}`);
  return `<p class="counts">${gallery.shots.length} shots: ${h(parts.join(" · "))}</p>`;
}

function filterLinks(current: Filter): string {
  const links = FILTERS.map((f) => `<a href="${h(pageHref(f))}" data-filter="${h(f)}"${f === current ? ' aria-current="true"' : ""}>${h(f)}</a>`);
  return `<nav class="filters">${links.join("")}</nav>`;
}

/** The page under a filter, with one shot's note field open. */
function pageHref(filter: Filter, noteFor?: string): string {
  const query = new URLSearchParams({ ...(filter === "all" ? {} : { filter }), ...(noteFor === undefined ? {} : { note: noteFor }) }).toString();
  return `/${query === "" ? "" : `?${query}`}${noteFor === undefined ? "" : `#shot-${encodeURIComponent(noteFor)}`}`;
}

/** One shot; data-version changes with its content, so live refresh replaces only the rows that changed. */
function shotSection(shot: ShotView, mode: PageMode): string {
  const { review } = shot;
  const badges = [
    `<span class="badge state-${h(review.state.replace(" ", "-"))}">${h(review.state)}</span>`,
    review.stale ? '<span class="badge stale" title="the shot changed since it was decided: decide again">stale</span>' : "",
    review.take === undefined ? "" : `<span class="badge chosen">take ${review.take} chosen</span>`,
  ].join("");
  const body = [
    `<h2><a href="#shot-${h(shot.id)}">${h(shot.id)}</a> ${badges}</h2>`,
    `<p class="prompt">${h(shot.prompt)}</p>`,
    `<div class="takes">${shot.takes.map((take) => takeFigure(take, review.take === take.take, mode)).join("")}</div>`,
    review.note === undefined ? "" : `<p class="note">note: ${h(review.note)}</p>`,
    mode.kind === "server" ? decisionForms(shot, mode) : "",
  ].join("");
  const version = createHash("sha1").update(body).digest("hex").slice(0, 12);
  const note = review.note === undefined ? "" : ` data-note="${h(review.note)}"`;
  const attributes = `id="shot-${h(shot.id)}" class="shot" tabindex="-1" data-shot="${h(shot.id)}" data-review="${h(review.state)}" data-failed="${shot.failed}"${note} data-version="${version}"`;
  return `<section ${attributes}>${body}</section>`;
}

function takeFigure(take: TakeView, chosen: boolean, mode: PageMode): string {
  const media = take.clip === null ? placeholder(take) : takeMedia({ ...take, clip: take.clip }, mode);
  const rendering = take.state === "generating" || take.state === "submitting";
  const state = rendering ? `${take.state} ${take.progress}%` : take.state;
  // Lines of text, not a <dl>: at 500 takes its 7,500 <dt>/<dd> were a third of the time Chromium took to lay the page out.
  const request = [take.model, `${take.duration} s`, take.quality, take.audio ? "audio" : "no audio"];
  const spent = [
    take.credits === null ? "" : `${decimal(take.credits)} credits`,
    take.renderMs === null ? "" : `rendered in ${(take.renderMs / 1000).toFixed(1)} s`,
  ];
  const facts = [request.join(" · "), spent.filter((x) => x !== "").join(" · ")].filter((line) => line !== "").map(h);
  const error =
    take.error === null
      ? ""
      : `<p class="error">${h([take.error.class, take.error.code].filter((x) => x !== null).join(" · "))}: ${h(take.error.message ?? "")}${
          take.error.hint === null ? "" : `<br><span class="hint">${h(take.error.hint)}</span>`
        }</p>`;
  const caption = `<figcaption>take ${take.take} · ${h(state)}</figcaption><p class="facts">${facts.join("<br>")}</p>`;
  return `<figure class="take${chosen ? " chosen" : ""}" data-take="${take.take}" data-state="${h(take.state)}">${media}${caption}${error}</figure>`;
}

function takeMedia(take: TakeView & { clip: string }, mode: PageMode): string {
  if (mode.kind === "static") return video(urlPath(take.clip), null);
  const src = `/files/${urlPath(take.clip)}`;
  const poster = mode.hasPoster(take.clip) ? `/posters/${urlPath(take.clip)}` : null;
  // 500 <video> elements cost Chromium seconds to make, even with preload="none": the page shows a link with the poster
  // (lazy, so only the takes in view load theirs) and app.js puts the video in its place when it is clicked. The
  // <noscript> video is the page without JavaScript; with scripting on, the browser parses it as text and makes nothing.
  const image = poster === null ? "" : `<img loading="lazy" src="${h(poster)}" alt="take ${take.take}, first frame">`;
  const facade = `<a class="facade" href="${h(src)}"${poster === null ? "" : ` data-poster="${h(poster)}"`} aria-label="play take ${take.take}">${image}</a>`;
  return `<noscript>${video(src, poster)}</noscript>${facade}`;
}

/** With a poster nothing loads until played; without one, preload=metadata shows the clip's own first frame. */
function video(src: string, poster: string | null): string {
  const loads = poster === null ? 'preload="metadata"' : `preload="none" poster="${h(poster)}"`;
  return `<video controls muted playsinline ${loads} src="${h(src)}"></video>`;
}

function placeholder(take: TakeView): string {
  const rendering = take.state === "generating" || take.state === "submitting";
  const bar = rendering ? `<progress max="100" value="${take.progress}"></progress>` : "";
  return `<div class="placeholder">${h(take.state)}${bar}</div>`;
}

/**
 * Plain forms: they work without scripts; app.js sends the same fields with
 * fetch. The note field is a form of its own (Enter in it saves the note, not
 * the first button's approval), in the page for the one shot asked for: 100
 * text fields were a quarter of the time Chromium took to show 500 takes, so
 * the others have a link to it, which app.js turns into the field in place.
 */
function decisionForms(shot: ShotView, mode: ServerPage): string {
  const hidden = `<input type="hidden" name="token" value="${h(mode.token)}"><input type="hidden" name="shot" value="${h(shot.id)}">`;
  const takeButtons = shot.takes
    .filter((take) => take.clip !== null)
    .map((take) => `<button name="do" value="${take.take}"${shot.review.take === take.take ? ' aria-pressed="true"' : ""}>pick ${take.take}</button>`);
  const noteOpen = mode.noteFor === shot.id;
  const noteLink = `<a class="note-edit" href="${h(pageHref(mode.filter, shot.id))}">${shot.review.note === undefined ? "add a note" : "edit the note"}</a>`;
  return [
    `<form class="decide" method="post" action="/pick">${hidden}`,
    `<button name="do" value="approve" class="approve">approve</button>`,
    `<button name="do" value="reject" class="reject">reject</button>`,
    ...takeButtons,
    `<button name="do" value="clear">undo</button>`,
    noteOpen ? "" : noteLink,
    "</form>",
    noteOpen
      ? `<form class="note-form" method="post" action="/pick">${hidden}<input name="note" value="${h(shot.review.note ?? "")}" maxlength="2000" aria-label="note" autofocus><button name="do" value="note">save note</button></form>`
      : "",
  ].join("");
}
