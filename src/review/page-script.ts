/**
 * app.js, served by the review server beside the page: the keyboard, saving
 * without a reload, filtering and live refresh. Everything it does the page
 * can do without it (forms, filter links, reload); it only saves the trips.
 * It sends the page's per-server token with every write. A take is a link
 * with its poster until it is played (or, without a poster, until it comes
 * into view): only then is its <video> made.
 */
export const PAGE_SCRIPT = String.raw`"use strict";
(() => {
  const token = document.querySelector('meta[name="shotlist-token"]').content;
  let filter = new URLSearchParams(location.search).get("filter") || "all";
  let currentId = null;
  const shots = () => [...document.querySelectorAll("section.shot")];
  const toast = document.createElement("p");
  toast.className = "toast";
  toast.setAttribute("role", "status");
  document.body.append(toast);
  const say = (text) => { toast.textContent = text; };

  function mark() {
    for (const s of shots()) s.classList.toggle("current", s.dataset.shot === currentId);
  }
  function move(step) {
    const list = shots();
    if (list.length === 0) return;
    const at = list.findIndex((s) => s.dataset.shot === currentId);
    const next = list[Math.min(list.length - 1, Math.max(0, at === -1 ? 0 : at + step))];
    currentId = next.dataset.shot;
    mark();
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: "nearest" });
  }
  function current() {
    return shots().find((s) => s.dataset.shot === currentId) || null;
  }

  async function send(shot, what, note) {
    const body = { shot, do: what };
    if (note !== undefined) body.note = note;
    const answer = await fetch("/pick", {
      method: "POST",
      headers: { "content-type": "application/json", "x-shotlist-token": token },
      body: JSON.stringify(body),
    });
    const text = await answer.text();
    say(answer.ok ? shot + ": " + text : "not saved: " + text);
    await refresh();
  }

  function videoFor(facade, play) {
    const video = document.createElement("video");
    video.controls = video.muted = video.playsInline = true;
    video.preload = play ? "auto" : "metadata";
    if (facade.dataset.poster) video.poster = facade.dataset.poster;
    video.src = facade.href;
    facade.replaceWith(video);
    if (play) {
      video.focus();
      video.play().catch((err) => say("could not play: " + err));
    }
  }
  // A take without a poster frame (no ffmpeg, or not made yet) shows the clip's own first frame once it is near the view.
  const firstFrames = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      firstFrames.unobserve(entry.target);
      videoFor(entry.target, false);
    }
  }, { rootMargin: "200px" });
  const watch = (root) => root.querySelectorAll("a.facade:not([data-poster])").forEach((facade) => firstFrames.observe(facade));
  watch(document);

  function url() {
    return filter === "all" ? "/" : "/?filter=" + encodeURIComponent(filter);
  }
  let refreshing = false;
  async function refresh() {
    if (refreshing) return;
    refreshing = true;
    try {
      const answer = await fetch(url(), { headers: { accept: "text/html" } });
      if (!answer.ok) return;
      const next = new DOMParser().parseFromString(await answer.text(), "text/html");
      // A parsed document has scripting off, so its <noscript> videos are elements: dropped before they reach this page.
      next.querySelectorAll("noscript").forEach((n) => n.remove());
      const main = document.getElementById("shots");
      const fresh = [...next.querySelectorAll("section.shot")];
      const ids = (list) => list.map((s) => s.dataset.shot).join("\n");
      const typing = document.activeElement && document.activeElement.tagName === "INPUT" ? document.activeElement.closest("section.shot") : null;
      if (ids(fresh) !== ids(shots())) {
        main.replaceWith(document.adoptNode(next.getElementById("shots")));
        watch(document);
      } else {
        fresh.forEach((section, i) => {
          const old = shots()[i];
          if (old === typing || old.dataset.version === section.dataset.version) return;
          old.replaceWith(document.adoptNode(section));
          watch(section);
        });
      }
      for (const part of [".counts", ".filters"]) {
        const mine = document.querySelector(part);
        const theirs = next.querySelector(part);
        if (mine && theirs) mine.replaceWith(document.adoptNode(theirs));
      }
      mark();
    } finally {
      refreshing = false;
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form.decide, form.note-form");
    if (!form) return;
    event.preventDefault();
    const shot = form.closest("section.shot").dataset.shot;
    const noting = form.classList.contains("note-form");
    currentId = shot;
    // Out of the field, so that the refresh after saving shows the shot with its note.
    if (noting) document.activeElement.blur();
    send(shot, noting ? "note" : event.submitter.value, noting ? form.elements.note.value : undefined).catch((err) => say("not saved: " + err));
  });

  // The page has one note field at most (?note=): the one asked for is made here, as the server would make it.
  function openNote(shot) {
    let form = shot.querySelector("form.note-form");
    if (!form) {
      form = document.createElement("form");
      form.className = "note-form";
      const input = document.createElement("input");
      input.name = "note";
      input.maxLength = 2000;
      input.value = shot.dataset.note || "";
      input.setAttribute("aria-label", "note");
      const save = document.createElement("button");
      save.value = "note";
      save.textContent = "save note";
      form.append(input, save);
      shot.querySelector("form.decide").after(form);
      const link = shot.querySelector("a.note-edit");
      if (link) link.remove();
    }
    form.elements.note.focus();
  }

  document.addEventListener("click", (event) => {
    const edit = event.target.closest("a.note-edit");
    if (edit) {
      event.preventDefault();
      openNote(edit.closest("section.shot"));
      return;
    }
    const facade = event.target.closest("a.facade");
    if (facade && event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      videoFor(facade, true);
      return;
    }
    const link = event.target.closest("nav.filters a[data-filter]");
    if (!link) return;
    event.preventDefault();
    filter = link.dataset.filter;
    history.replaceState(null, "", url());
    refresh().catch((err) => say("could not refresh: " + err));
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select")) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const key = event.key;
    if (key === "j" || key === "k") {
      move(key === "j" ? 1 : -1);
      event.preventDefault();
      return;
    }
    const shot = current();
    if (!shot) return;
    const id = shot.dataset.shot;
    const act = (what) => {
      event.preventDefault();
      send(id, what).catch((err) => say("not saved: " + err));
    };
    if (key === "a") act("approve");
    else if (key === "r") act("reject");
    else if (key === "u") act("clear");
    else if (/^[1-9]$/.test(key) && shot.querySelector('button[value="' + key + '"]')) act(key);
    else if (key === "n") {
      event.preventDefault();
      openNote(shot);
    }
  });

  document.addEventListener("focusin", (event) => {
    const shot = event.target.closest && event.target.closest("section.shot");
    if (shot && shot.dataset.shot !== currentId) {
      currentId = shot.dataset.shot;
      mark();
    }
  });

  setInterval(() => {
    if (!document.hidden) refresh().catch(() => say("the review server is not answering"));
  }, 2000);
})();
`;
