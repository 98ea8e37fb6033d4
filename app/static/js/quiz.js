/* Quiz attempts, progressive enhancement (the page works without this file):
   - times in the trainee's own time zone, and a countdown for timed attempts that announces
     5 and 1 minutes left and time up through one polite live region (never every second);
   - autosave: the answers are posted 1.5 s after a change (and when the page is hidden) to the
     attempt's autosave address, which keeps them as "Save and finish later" does;
   - before "Submit answers", a question if some questions are unanswered (the server asks too).
   Answer keys never reach this page: it only reads the form. */
(function () {
  "use strict";

  var form = document.querySelector("form.quiz-form[data-autosave-url]");
  if (!form) { return; }
  var statusBox = form.querySelector("[data-quiz-status]");
  var saveStatus = form.querySelector("[data-save-status]");
  var announcer = form.querySelector("[data-announcer]");
  var csrfInput = form.querySelector("input[name=csrf_token]");
  var closed = false;       // time ran out or the attempt was submitted elsewhere: stop saving
  var submitting = false;   // the form itself is being sent: autosave stands aside

  function announce(text) {
    // cleared first so that the same words are announced again
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function setStatus(text, kind, link) {
    saveStatus.textContent = text;
    saveStatus.className = "quiz-status__save" + (kind ? " quiz-status__save--" + kind : "");
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      saveStatus.appendChild(document.createTextNode(" "));
      saveStatus.appendChild(a);
    }
  }

  /* ---------- local times ---------- */
  var clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  var zoneFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });

  function localTime(date) { return clockFormat.format(date); }

  Array.prototype.forEach.call(document.querySelectorAll(".deadline time[datetime]"), function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime()) || when.getTimezoneOffset() === 0) { return; }  // local time is UTC: nothing to add
    var utc = el.textContent;
    el.textContent = zoneFormat.format(when) + " (" + utc + ")";
  });

  /* ---------- countdown ---------- */
  function startTimer() {
    var deadline = new Date(statusBox.dataset.deadlineAt).getTime();
    var closes = new Date(statusBox.dataset.closesAt).getTime();
    // the server's clock, not this device's: a phone set a few minutes wrong still counts right
    var skew = new Date(statusBox.dataset.serverNow).getTime() - Date.now();
    var label = statusBox.querySelector("[data-timer-label]");
    var clock = statusBox.querySelector("[data-timer-clock]");
    var said = {};
    var deadlineText = localTime(new Date(deadline));
    var closesText = localTime(new Date(closes));
    var timer = null;

    function two(n) { return (n < 10 ? "0" : "") + n; }
    function remaining(ms) {
      var s = Math.max(0, Math.ceil(ms / 1000));
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
      return (h ? h + ":" + two(m) : m) + ":" + two(s % 60);
    }
    function once(key, text) {
      if (!said[key]) { said[key] = true; announce(text); }
    }

    function tick() {
      var now = Date.now() + skew;
      var left = deadline - now;
      if (left > 0) {
        label.textContent = "Time left";
        clock.textContent = remaining(left);
        statusBox.classList.toggle("quiz-status--urgent", left <= 5 * 60 * 1000);
        // thresholds announced as they pass (not on load, when the page already says it)
        if (left <= 5 * 60 * 1000 && left > 4 * 60 * 1000) { once("5", "5 minutes left. Submit by " + deadlineText + "."); }
        if (left <= 60 * 1000 && left > 30 * 1000) { once("1", "1 minute left. Submit by " + deadlineText + "."); }
      } else if (now <= closes) {
        label.textContent = "Time is up: submit now.";
        clock.textContent = "Answers sent after " + closesText + " are not counted.";
        statusBox.classList.add("quiz-status--urgent");
        once("up", "Time is up: submit now. Answers sent after " + closesText + " are not counted.");
      } else {
        window.clearInterval(timer);
        label.textContent = "Time is up.";
        clock.textContent = "";
        timeUp();
        once("closed", "Time is up. This attempt is closed and marked on the answers saved by " + closesText + ".");
      }
    }
    tick();
    timer = window.setInterval(tick, 1000);
  }

  function timeUp(message) {
    closed = true;
    window.clearTimeout(pending);
    setStatus(message || "This attempt is closed and marked on the answers saved by the closing time.", "error",
              { href: form.dataset.resultsUrl, text: "See your result" });
  }

  /* ---------- autosave ---------- */
  var pending = null, retryIn = 0, dirty = false, inFlight = false, again = false;

  function answersBody() {
    return new URLSearchParams(new FormData(form));
  }

  function save(keepalive) {
    window.clearTimeout(pending);
    if (closed || submitting || !dirty) { return; }
    if (inFlight && !keepalive) { again = true; return; }
    inFlight = true;
    dirty = false;
    setStatus("Saving…", "busy");
    var request;
    try {
      request = fetch(form.dataset.autosaveUrl, {
        method: "POST", credentials: "same-origin", keepalive: !!keepalive, body: answersBody(),
        headers: { "Accept": "application/json", "X-CSRFToken": csrfInput.value }
      });
    } catch (e) {
      request = Promise.reject(e);
    }
    request.then(function (response) {
      if (response.ok) {
        return response.json().then(function (data) {
          retryIn = 0;
          if (!submitting) { setStatus("Saved " + localTime(new Date(data.saved_at)), "ok"); }
        });
      }
      if (response.status === 409) {
        return response.json().then(function (data) { timeUp(data.message); announce(data.message); });
      }
      if (response.status === 400 || response.status === 401 || response.status === 403) {
        // signed out, or the page's form token expired: the answers stay in this page, and sending
        // the form goes through the sign-in page that keeps them (app/auth/resume.py)
        closed = true;
        var text = "Not saved: you need to sign in again. Your answers are still on this page; press “Save and " +
                   "finish later” or “Submit answers” and you will be asked to sign in, with nothing lost.";
        setStatus(text, "error");
        announce(text);
        return;
      }
      throw new Error("HTTP " + response.status);
    }).catch(function () {
      dirty = true;
      retryIn = Math.min(retryIn ? retryIn * 2 : 2000, 30000);
      setStatus("Not saved yet — check your connection. Trying again…", "error");
      if (retryIn === 2000) { announce("Not saved yet — check your connection."); }
      pending = window.setTimeout(function () { save(false); }, retryIn);
    }).then(function () {
      inFlight = false;
      if (again) { again = false; save(false); }
    });
  }

  function changed() {
    if (closed || submitting) { return; }
    dirty = true;
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { save(false); }, 1500);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  window.addEventListener("online", function () { if (dirty) { save(false); } });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(true); }
  });
  window.addEventListener("pagehide", function () { save(true); });

  /* ---------- unanswered questions, asked before posting ---------- */
  function gapOf(section) {
    if (section.classList.contains("question--locked")) { return null; }
    var ordering = section.querySelectorAll("select.ordering__select");
    if (ordering.length) {
      var values = Array.prototype.map.call(ordering, function (s) { return s.value; }).filter(Boolean);
      if (!values.length) { return "not answered"; }
      var distinct = values.filter(function (v, i) { return values.indexOf(v) === i; });
      return values.length === ordering.length && distinct.length === values.length ? null : "not every item has its own position";
    }
    var matching = section.querySelectorAll(".matching select");
    if (matching.length) {
      var chosen = Array.prototype.filter.call(matching, function (s) { return s.value; }).length;
      return chosen === matching.length ? null : (chosen ? "not every item is matched" : "not answered");
    }
    if (section.querySelector("input[type=radio], input[type=checkbox]")) {
      return section.querySelector("input:checked") ? null : "not answered";
    }
    var texts = section.querySelectorAll("input[type=text], textarea");   // a word cloud has three boxes
    if (texts.length) {
      return Array.prototype.some.call(texts, function (t) { return t.value.trim(); }) ? null : "not answered";
    }
    return null;
  }

  function gaps() {
    var out = [];
    Array.prototype.forEach.call(form.querySelectorAll("section.question"), function (section, i) {
      var reason = gapOf(section);
      if (reason) { out.push({ section: section, number: i + 1, reason: reason }); }
    });
    return out;
  }

  function focusQuestion(section) {
    var control = section.querySelector("input:not([type=hidden]), select, textarea");
    section.scrollIntoView({ block: "start" });
    (control || section).focus({ preventScroll: true });
  }

  var dialog = null;
  function ask(found, submitter) {
    if (typeof HTMLDialogElement !== "function") { return false; }  // the server asks instead
    if (dialog) { dialog.remove(); }
    dialog = document.createElement("dialog");
    dialog.className = "unanswered unanswered--dialog";
    dialog.setAttribute("aria-labelledby", "unanswered-dialog-title");
    var h = document.createElement("h2");
    h.id = "unanswered-dialog-title";
    h.textContent = found.length + " question" + (found.length === 1 ? "" : "s") + " unanswered: submit anyway?";
    var p = document.createElement("p");
    p.textContent = "Submitting uses " + form.dataset.attemptLabel + ", and unanswered questions earn no marks.";
    // grouped by reason, as the server's page does: "Not answered: Question 3, Question 4…"
    var groups = [];
    found.forEach(function (gap) {
      var group = groups.filter(function (g) { return g.reason === gap.reason; })[0];
      if (!group) { group = { reason: gap.reason, gaps: [] }; groups.push(group); }
      group.gaps.push(gap);
    });
    groups.sort(function (a, b) { return a.reason < b.reason ? -1 : 1; });
    var lists = groups.map(function (group, i) {
      var label = document.createElement("p");
      label.className = "unanswered__reason";
      label.id = "gaps-dialog-" + i;
      label.textContent = group.reason.charAt(0).toUpperCase() + group.reason.slice(1) + ":";
      var list = document.createElement("ul");
      list.className = "unanswered__list";
      list.setAttribute("aria-labelledby", label.id);
      group.gaps.forEach(function (gap) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "#" + gap.section.id;
        a.textContent = "Question " + gap.number;
        a.addEventListener("click", function (event) {
          event.preventDefault();
          dialog.close();
          focusQuestion(gap.section);
        });
        li.appendChild(a);
        list.appendChild(li);
      });
      return [label, list];
    });
    var actions = document.createElement("div");
    actions.className = "unanswered__actions";
    var anyway = document.createElement("button");
    anyway.type = "button";
    anyway.className = "button button--primary";
    anyway.textContent = "Submit anyway";
    anyway.addEventListener("click", function () {
      var confirm = document.createElement("input");
      confirm.type = "hidden";
      confirm.name = "allow_unanswered";
      confirm.value = "1";
      form.appendChild(confirm);
      dialog.close();
      send(submitter);
    });
    var back = document.createElement("button");
    back.type = "button";
    back.className = "button";
    back.textContent = "Go back and answer";
    back.addEventListener("click", function () {
      dialog.close();
      focusQuestion(found[0].section);
    });
    actions.appendChild(anyway);
    actions.appendChild(back);
    dialog.appendChild(h);
    dialog.appendChild(p);
    lists.forEach(function (pair) { dialog.appendChild(pair[0]); dialog.appendChild(pair[1]); });
    dialog.appendChild(actions);
    document.body.appendChild(dialog);
    dialog.showModal();
    back.focus();   // the safe choice has focus: Enter does not spend an attempt by accident
    return true;
  }

  function send(submitter) {
    submitting = true;
    window.clearTimeout(pending);
    if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var isSubmit = submitter && submitter.name === "action" && submitter.value === "submit";
    submitting = true;   // the page is about to be replaced: autosave stands aside
    window.clearTimeout(pending);
    if (!isSubmit || form.querySelector("input[name=allow_unanswered]")) { return; }
    var found = gaps();
    if (found.length && ask(found, submitter)) {
      event.preventDefault();
      submitting = false;
    }
  });

  setStatus("Your answers are saved as you go.", "");
  statusBox.hidden = false;
  if (statusBox.dataset.deadlineAt) { startTimer(); }
})();
