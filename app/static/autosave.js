// Autosave for the review forms: saves while the user types, never loses text, never overwrites unseen.
// - debounced save (fetch POST with X-Autosave: 1); "Saved at HH:MM" / "Not saved — retrying" in a live region;
// - unsaved text is also kept in this browser (localStorage) until the server has it, and offered back after a
//   reload or a lost connection; leaving the page with unsaved text warns;
// - a 409 (someone else saved first) shows both versions and pauses autosave until the user saves the merge.
(function () {
  "use strict";
  var DEBOUNCE_MS = 1500;
  var MAX_RETRY_MS = 60000;
  // Translated messages, from <script type="application/json" id="autosave-messages"> (submissions/_autosave_messages
  // .html); these English ones only if a page lacks it.
  var T = {
    saving: "Saving…",
    offline: "Not saved — no connection. Retrying",
    busy: "Not saved — the server is busy. Retrying",
    retryIn: "in {n} s. Your text is kept in this browser.",
    signedOut: "Not saved — you have been signed out. Sign in again in another tab; your text is kept in this browser.",
    conflict: "Not saved: someone else saved a newer version. Compare, then press Save.",
    notSaved: "Not saved:",
    restoreTitle: "This browser kept text you typed that was not saved",
    restore: "Restore my unsaved text",
    discard: "Discard it",
    charsLeft: "{left} characters left of {max}",
    charsOver: "{over} characters too many"
  };
  var LANG = document.documentElement.lang || undefined;  // numbers and times as the page's language writes them

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function localTimes(root) {
    root.querySelectorAll("time[data-local-time]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d)) { el.textContent = d.toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit" }); }
    });
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
      if (!el.name || !(el.name in data) || el.type === "hidden") { return; }
      if (el.type === "checkbox" || el.type === "radio") { el.checked = data[el.name].indexOf(el.value) !== -1; }
      else { el.value = data[el.name][0]; }
    });
  }

  function updateCounter(form, counter) {
    var field = form.querySelector("#" + counter.dataset.counterFor);
    if (!field) { return; }
    var max = parseInt(counter.dataset.max, 10);
    var left = max - field.value.length;
    counter.textContent = left >= 0 ? fmt(T.charsLeft, { left: left.toLocaleString(LANG), max: max.toLocaleString(LANG) })
                                    : fmt(T.charsOver, { over: (-left).toLocaleString(LANG) });
    counter.classList.toggle("is-near", left >= 0 && left < max * 0.1);
    counter.classList.toggle("is-over", left < 0);
  }

  function Autosaver(form) {
    this.form = form;
    this.key = "gcm-draft:" + form.dataset.autosaveKey;
    this.status = form.querySelector("[data-save-status]");
    this.version = form.querySelector("[data-version]");
    this.dirty = false;
    this.edits = 0;
    this.inFlight = false;
    this.again = false;
    this.paused = false;
    this.retryMs = 2000;
    this.timer = null;
    this.bind();
    this.offerBackup();
    form.querySelectorAll("[data-counter-for]").forEach(function (c) { updateCounter(form, c); });
  }

  Autosaver.prototype.say = function (html, cls) {
    this.status.innerHTML = cls ? '<span class="' + cls + '"></span>' : html;
    if (cls) { this.status.firstChild.textContent = html; }
    localTimes(this.status);
  };

  Autosaver.prototype.bind = function () {
    var self = this;
    var onEdit = function (event) {
      self.dirty = true;
      self.edits += 1;
      self.backup();
      if (event.target.id) {
        var counter = self.form.querySelector('[data-counter-for="' + event.target.id + '"]');
        if (counter) { updateCounter(self.form, counter); }
      }
      if (!self.paused) { self.schedule(DEBOUNCE_MS); }
    };
    this.form.addEventListener("input", onEdit);
    this.form.addEventListener("change", onEdit);
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.paused = false;
      self.save();
    });
    window.addEventListener("beforeunload", function (event) {
      if (self.dirty) { event.preventDefault(); event.returnValue = ""; }
    });
    window.addEventListener("online", function () { if (self.dirty && !self.paused) { self.schedule(0); } });
    document.addEventListener("click", function (event) {
      var field = event.target.getAttribute && event.target.getAttribute("data-use-theirs");
      if (!field) { return; }
      var theirs = document.querySelector('[data-theirs-for="' + field + '"]');
      var target = self.form.querySelector("#" + field);
      if (theirs && target) {
        target.value = theirs.textContent;
        target.dispatchEvent(new Event("input", { bubbles: true }));
        target.focus();
      }
    });
  };

  Autosaver.prototype.schedule = function (ms) {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.save(); }, ms);
  };

  Autosaver.prototype.backup = function () {
    try {
      localStorage.setItem(this.key, JSON.stringify({ at: new Date().toISOString(), values: fieldValues(this.form) }));
    } catch (e) { /* storage full or disabled: the server copy still counts */ }
  };

  Autosaver.prototype.clearBackup = function () {
    try { localStorage.removeItem(this.key); } catch (e) { /* ignore */ }
  };

  Autosaver.prototype.offerBackup = function () {
    var raw = null;
    try { raw = localStorage.getItem(this.key); } catch (e) { return; }
    if (!raw) { return; }
    var saved;
    try { saved = JSON.parse(raw); } catch (e) { this.clearBackup(); return; }
    if (JSON.stringify(saved.values) === JSON.stringify(fieldValues(this.form))) { this.clearBackup(); return; }
    var notice = document.querySelector("[data-restore-notice]");
    if (!notice) { return; }
    var self = this;
    var when = new Date(saved.at);
    var title = document.createElement("p");
    title.innerHTML = "<strong></strong> (<time></time>)";
    title.firstChild.textContent = T.restoreTitle;
    title.querySelector("time").textContent = when.toLocaleString();
    notice.innerHTML = "";
    notice.appendChild(title);
    var restore = document.createElement("button");
    restore.type = "button"; restore.className = "button"; restore.textContent = T.restore;
    var discard = document.createElement("button");
    discard.type = "button"; discard.className = "button button--secondary"; discard.textContent = T.discard;
    notice.appendChild(restore); notice.appendChild(document.createTextNode(" ")); notice.appendChild(discard);
    notice.hidden = false;
    restore.addEventListener("click", function () {
      applyValues(self.form, saved.values);
      notice.hidden = true;
      self.dirty = true; self.edits += 1;
      self.form.querySelectorAll("[data-counter-for]").forEach(function (c) { updateCounter(self.form, c); });
      self.save();
    });
    discard.addEventListener("click", function () { self.clearBackup(); notice.hidden = true; });
  };

  Autosaver.prototype.showErrors = function (errors) {
    var form = this.form;
    form.querySelectorAll("[data-error-for]").forEach(function (p) {
      var name = p.dataset.errorFor;
      var field = form.querySelector("#" + name);
      var message = errors[name];
      p.hidden = !message;
      p.querySelector("span:last-child").textContent = message || "";
      if (field) { if (message) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); } }
    });
  };

  Autosaver.prototype.save = function () {
    var self = this;
    if (this.inFlight) { this.again = true; return; }
    clearTimeout(this.timer);
    var editsAtStart = this.edits;
    var body = new URLSearchParams(new FormData(this.form));
    var csrf = this.form.querySelector('input[name="csrf_token"]').value;
    this.inFlight = true;
    this.say(T.saving, "muted");
    fetch(this.form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Autosave": "1", "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (response) {
      return response.text().then(function (text) { self.handle(response, text, editsAtStart); });
    }).catch(function () {
      self.retry(T.offline);
    }).then(function () {
      self.inFlight = false;
      if (self.again) { self.again = false; self.save(); }
    });
  };

  Autosaver.prototype.retry = function (message) {
    var seconds = Math.round(this.retryMs / 1000);
    this.say(message + " " + fmt(T.retryIn, { n: seconds }), "save-status__retry");
    this.schedule(this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  };

  Autosaver.prototype.handle = function (response, text, editsAtStart) {
    var newVersion = response.headers.get("X-Version");
    if (response.ok) {
      this.retryMs = 2000;
      if (newVersion) { this.version.value = newVersion; }
      this.status.innerHTML = text;
      localTimes(this.status);
      this.showErrors({});
      var panel = document.querySelector("[data-conflict]");
      if (panel) { panel.remove(); }
      if (this.edits === editsAtStart) { this.dirty = false; this.clearBackup(); }
      return;
    }
    if (response.status === 409 && newVersion) {
      this.paused = true;
      this.version.value = newVersion;  // saving now stores the merge the user has seen
      var old = document.querySelector("[data-conflict]");
      if (old) { old.remove(); }
      this.form.insertAdjacentHTML("beforebegin", text);
      localTimes(document);
      var conflict = document.querySelector("[data-conflict]");
      if (conflict) { conflict.focus(); }
      this.say(T.conflict, "save-status__error");
      return;
    }
    if (response.status === 422) {
      this.status.innerHTML = text;
      var marker = this.status.querySelector("[data-errors]");
      this.showErrors(marker ? JSON.parse(marker.dataset.errors) : {});
      return;
    }
    if (response.status === 401) {
      this.say(T.signedOut, "save-status__error");
      return;
    }
    if (response.status >= 500 || response.status === 429) { this.retry(T.busy); return; }
    var doc = new DOMParser().parseFromString(text, "text/html");
    var alert = doc.querySelector("[role=alert]");
    this.say(T.notSaved + " " + (alert ? alert.textContent : response.statusText), "save-status__error");
  };

  document.addEventListener("DOMContentLoaded", function () {
    var messages = document.getElementById("autosave-messages");
    if (messages) {
      var given = JSON.parse(messages.textContent);
      Object.keys(given).forEach(function (key) { T[key] = given[key]; });
    }
    localTimes(document);
    document.querySelectorAll("form[data-autosave]").forEach(function (form) { new Autosaver(form); });
  });
})();
