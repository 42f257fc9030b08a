// The newsroom editor's helpers. Everything works without this file; with it the body
// gets a Markdown toolbar and a live preview, the text is kept in this browser as it is
// typed (so a crash or a lost connection loses nothing), drafts are saved to the server
// every 30 seconds, and leaving with unsaved changes asks first.
(function () {
  "use strict";
  var form = document.getElementById("article-form");
  if (!form) return;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var body = document.getElementById("body");
  var status = document.getElementById("autosave-status");
  var articleId = form.dataset.article;
  var storeKey = "broadsheet:draft:" + articleId;
  var dirty = false;
  var submitting = false;

  function say(text) { if (status) status.textContent = text; }

  // ---- toolbar ----
  var toolbar = form.querySelector(".toolbar");
  if (toolbar) toolbar.hidden = false;
  function wrap(before, after, placeholder) {
    var start = body.selectionStart, end = body.selectionEnd;
    var chosen = body.value.slice(start, end) || placeholder;
    body.setRangeText(before + chosen + after, start, end, "select");
    body.selectionStart = start + before.length;
    body.selectionEnd = start + before.length + chosen.length;
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function prefixLines(prefix) {
    var start = body.value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = body.selectionEnd;
    var lines = body.value.slice(start, end).split("\n").map(function (l) { return prefix + l; });
    body.setRangeText(lines.join("\n"), start, end, "end");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }
  var actions = {
    bold: function () { wrap("**", "**", "bold text"); },
    italic: function () { wrap("_", "_", "italic text"); },
    heading: function () { prefixLines("## "); },
    quote: function () { prefixLines("> "); },
    list: function () { prefixLines("- "); },
    link: function () {
      var url = window.prompt("Link address (https://...)");
      if (url) wrap("[", "](" + url + ")", "link text");
    },
    image: function () {
      var id = window.prompt("Image number from the media library (#)");
      if (!id) return;
      fetch("/api/admin/media", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var found = (data.media || []).filter(function (m) { return String(m.id) === id.replace("#", ""); })[0];
          if (found) wrap("![" + (found.alt || "") + "](", ")", found.url);
          else say("No image #" + id + " in the library.");
        });
    }
  };
  if (toolbar) toolbar.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-md]");
    if (button && actions[button.dataset.md]) actions[button.dataset.md]();
  });
  body.addEventListener("keydown", function (e) {
    if (!(e.ctrlKey || e.metaKey)) return;
    var key = e.key.toLowerCase();
    var map = { b: "bold", i: "italic", k: "link" };
    if (map[key]) { e.preventDefault(); actions[map[key]](); }
    if (key === "s") { e.preventDefault(); submitting = true; form.requestSubmit(); }
  });

  // ---- live preview ----
  var previewBox = form.querySelector(".live-preview");
  var preview = document.getElementById("preview");
  var previewTimer = null;
  function refreshPreview() {
    fetch("/api/admin/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ body: body.value })
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && preview) { preview.innerHTML = data.html; previewBox.hidden = false; }
      }).catch(function () { /* offline: the preview waits */ });
  }
  if (preview) {
    body.addEventListener("input", function () {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(refreshPreview, 400);
    });
    if (body.value) refreshPreview();
  }

  // ---- keeping the text ----
  function fields() {
    var data = {};
    ["headline", "standfirst", "body", "tags", "bylines", "dateline", "slug"].forEach(function (name) {
      var el = form.elements[name];
      if (el) data[name] = el.value;
    });
    return data;
  }
  function keepLocally() {
    try {
      localStorage.setItem(storeKey, JSON.stringify({ at: Date.now(), revision: form.elements.revision.value, fields: fields() }));
    } catch (e) { /* storage full or disabled */ }
  }
  // Back from a successful save: the server has the text, the local copy can go.
  if (/[?&]done=(saved|created)/.test(location.search)) {
    try { localStorage.removeItem(storeKey); localStorage.removeItem("broadsheet:draft:new"); } catch (e) {}
  } else {
    try {
      var kept = JSON.parse(localStorage.getItem(storeKey) || "null");
      var current = fields();
      var differs = kept && Object.keys(kept.fields).some(function (k) { return kept.fields[k] !== current[k]; });
      if (differs && window.confirm("This browser kept unsaved text for this article from " + new Date(kept.at).toLocaleString() + ". Put it back in the form?")) {
        Object.keys(kept.fields).forEach(function (k) { if (form.elements[k]) form.elements[k].value = kept.fields[k]; });
        dirty = true;
        say("Unsaved text put back from this browser; save to keep it.");
      }
    } catch (e) {}
  }
  form.addEventListener("input", function () { dirty = true; keepLocally(); say("Unsaved changes (kept in this browser)"); });
  form.addEventListener("submit", function () { submitting = true; keepLocally(); });
  window.addEventListener("beforeunload", function (e) {
    if (dirty && !submitting) { e.preventDefault(); e.returnValue = ""; }
  });
  window.addEventListener("offline", function () { say("Offline: your text is kept in this browser until the connection is back."); });

  // ---- autosave of drafts to the server ----
  var autosaveable = articleId !== "new" && ["draft", "in_review", "unpublished"].indexOf(form.dataset.status) >= 0;
  var stopped = false;
  function autosave() {
    if (!dirty || stopped || !navigator.onLine) return;
    var data = fields();
    var payload = {
      headline: data.headline, standfirst: data.standfirst, body: data.body,
      section: form.elements.section.value, language: form.elements.language.value,
      tags: data.tags.split(",").map(function (s) { return s.trim(); }).filter(Boolean),
      bylines: data.bylines.split(",").map(function (s) { return s.trim(); }).filter(Boolean),
      dateline: data.dateline, slug: data.slug || null,
      lead_media_id: form.elements.lead_media_id.value ? Number(form.elements.lead_media_id.value) : null,
      revision: Number(form.elements.revision.value)
    };
    fetch("/api/admin/articles/" + articleId, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        form.elements.revision.value = result.data.revision;
        dirty = false;
        keepLocally();
        say("Draft saved at " + new Date().toLocaleTimeString() + " (revision " + result.data.revision + ")");
      } else if (result.status === 409) {
        stopped = true;
        say("Someone else saved this article; autosave stopped. Your text is kept here: save to see how to merge.");
      } else {
        say("Not saved: " + ((result.data.error || {}).message || result.status) + " Your text is kept in this browser.");
      }
    }).catch(function () { say("Offline: your text is kept in this browser."); });
  }
  if (autosaveable) setInterval(autosave, 30000);
})();
