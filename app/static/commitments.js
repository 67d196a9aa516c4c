// Pledge forms: live length counters, and typed text kept in this browser until the server has it.
// Every form works without this script (the server checks every limit and keeps the input on refusal).
// - Counters ([data-counter-for]) show the limits before they are hit. The textarea's maxlength (the limit
//   without JavaScript) is lifted, so text pasted over the limit is never cut silently: the counter says how
//   much is too much and the server refuses it with the text kept. Crossing a limit is announced once.
// - Drafts (form[data-draft-key]): what is typed is copied to localStorage; after a lost session, a crash or a
//   closed tab the form offers it back. The page shown after a successful save ([data-draft-saved]) clears it.
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? Number(values[key]).toLocaleString(document.documentElement.lang || undefined) : all;
    });
  }

  function setUpCounter(counter) {
    var field = document.getElementById(counter.dataset.counterFor);
    var announce = document.querySelector('[data-counter-announce="' + counter.dataset.counterFor + '"]');
    if (!field || counter.dataset.ready) { return; }
    counter.dataset.ready = "1";
    field.removeAttribute("maxlength");
    var min = parseInt(counter.dataset.min, 10) || 0;
    var max = parseInt(counter.dataset.max, 10);
    var state = null;
    function update() {
      var n = field.value.length;
      var values = { n: n, min: min, max: max, more: min - n, over: n - max, left: max - n };
      var now = n < min ? "short" : n > max ? "over" : "ok";
      var key = now === "short" ? "textShort" : now === "over" ? "textOver" : "textLeft";
      counter.textContent = format(counter.dataset[key], values);
      counter.classList.toggle("is-short", now === "short");
      counter.classList.toggle("is-over", now === "over");
      counter.classList.toggle("is-near", now === "ok" && max - n < max * 0.1);
      if (announce && state !== null && state !== now) { announce.textContent = counter.textContent; }
      state = now;
    }
    field.addEventListener("input", update);
    update();
  }

  function fieldValues(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrf_token" || name === "version") { return; }
      (data[name] = data[name] || []).push(String(value));
    });
    return data;
  }

  function applyValues(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit") { return; }
      var values = data[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = values.indexOf(el.value) !== -1; }
      else { el.value = values.length ? values[0] : ""; }
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  function readDraft(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function setUpDraft(form) {
    var key = form.dataset.draftKey;
    if (!key || form.dataset.ready || !window.localStorage) { return; }
    form.dataset.ready = "1";
    var saved = readDraft(key);
    var notice = document.querySelector("[data-draft-notice]");
    var dirty = false;
    var submitting = false;
    if (saved && notice && JSON.stringify(saved) !== JSON.stringify(fieldValues(form))) {
      notice.hidden = false;
      notice.querySelector("[data-draft-restore]").addEventListener("click", function () {
        applyValues(form, saved);
        notice.hidden = true;
        form.querySelector("input, textarea, select").focus();
      });
      notice.querySelector("[data-draft-discard]").addEventListener("click", function () {
        window.localStorage.removeItem(key);
        notice.hidden = true;
      });
    }
    function keep() {
      dirty = true;
      try { window.localStorage.setItem(key, JSON.stringify(fieldValues(form))); } catch (e) { /* storage full */ }
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  function clearSavedDrafts(root) {
    root.querySelectorAll("[data-draft-saved]").forEach(function (el) {
      el.dataset.draftSaved.split(" ").forEach(function (key) {
        try { window.localStorage.removeItem(key); } catch (e) { /* storage unavailable */ }
      });
    });
  }

  function init(root) {
    clearSavedDrafts(root);
    root.querySelectorAll("[data-counter-for]").forEach(setUpCounter);
    root.querySelectorAll("form[data-draft-key]").forEach(setUpDraft);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  // Content swapped in by htmx (the progress-update form after a refusal): counters, and focus on the errors.
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || elt === document.body) { return; }
    init(elt);
    var focus = elt.querySelector("[data-focus-on-load]");
    if (focus) { focus.focus(); }
  });
})();
