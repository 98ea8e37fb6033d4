/* Lectern live sessions: the participant page, the presenter view and the projector view.
 * Events arrive by Server-Sent Events; if a stream cannot be kept open the page asks the state
 * endpoint every few seconds instead. Everything shown is rendered by the server: this script
 * only decides when to fetch a fresh fragment. Without JavaScript every page still works by
 * reloading. API: docs/LIVE.md. */
(function () {
  "use strict";

  var POLL_FALLBACK_MS = 4000;
  var HEARTBEAT_MS = 30000;
  var RESUME_CHECK_MS = 10000;

  function $(selector, root) { return (root || document).querySelector(selector); }

  function getText(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.text();
    });
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  function announce(text) {
    var region = $("[data-live-announce]");
    if (region) { region.textContent = ""; window.setTimeout(function () { region.textContent = text; }, 50); }
  }

  function throttle(fn, ms) {
    var timer = null, again = false;
    return function () {
      if (timer) { again = true; return; }
      fn();
      timer = window.setTimeout(function () { timer = null; if (again) { again = false; fn(); } }, ms);
    };
  }

  /* Q&A (live-qna.js) follows the same stream: its "qna" events are handed on as a DOM event. */
  function qnaChanged(data) { document.dispatchEvent(new CustomEvent("live:qna", { detail: data })); }

  /* Listen to an event stream; after repeated failures, fall back to calling `poll` regularly. */
  function listen(url, handlers, poll, onStatus) {
    var failures = 0, timer = null, source = null;
    function startPolling() {
      if (timer || !poll) { return; }
      onStatus("Reconnecting… the page checks for changes every few seconds.");
      poll();
      timer = window.setInterval(poll, POLL_FALLBACK_MS);
    }
    function stopPolling() { if (timer) { window.clearInterval(timer); timer = null; } }
    if (!("EventSource" in window)) { startPolling(); return { close: stopPolling }; }
    source = new EventSource(url);
    source.onopen = function () { failures = 0; stopPolling(); onStatus(null); };
    source.onerror = function () {
      failures += 1;
      if (source.readyState === 2 || failures >= 3) { startPolling(); }
    };
    Object.keys(handlers).forEach(function (kind) {
      source.addEventListener(kind, function (event) { handlers[kind](JSON.parse(event.data)); });
    });
    // The server ended the stream for good: this tab was replaced by a newer one (keep up by
    // polling), or the person may no longer follow (signed out, removed): reload to see why.
    source.addEventListener("end", function (event) {
      var reason = JSON.parse(event.data).reason;
      source.close();
      if (reason === "replaced") { startPolling(); } else { window.location.reload(); }
    });
    return { close: function () { source.close(); stopPolling(); } };
  }

  /* Agenda timers (presenter, projector): elapsed of planned, and the time left or over. The
     projector's panel is replaced as the room moves on, so the timers are looked up each second. */
  function tickTimers() {
    var mm = function (s) { s = Math.abs(s); return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); };
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-timer]"), function (timer) {
      var started = Date.parse(timer.dataset.started);
      var planned = Number(timer.dataset.minutes) * 60;
      var elapsed = Math.max(0, Math.floor((Date.now() - started) / 1000));
      var left = planned - elapsed;
      timer.textContent = mm(elapsed) + " of " + mm(planned) + " · " + mm(left) + (left >= 0 ? " left" : " over");
      timer.classList.toggle("live-timer--over", left < 0);
    });
  }

  function startTimers() {
    tickTimers();
    window.setInterval(tickTimers, 1000);
  }

  /* Poll countdowns (every screen): the time left, from the deadline the server sent and the
     server's clock (data-server-now on the page, made as it was served), so a phone whose clock
     is wrong still counts right. The server closes the poll at zero by itself; this only shows
     it. Announced at 10 seconds left and at time up, not every second. */
  var serverOffset = 0;              // the server's clock minus this browser's, in ms
  (function () {
    var node = $("[data-server-now]");
    var at = node ? Date.parse(node.dataset.serverNow) : NaN;
    if (!isNaN(at)) { serverOffset = at - Date.now(); }
  }());
  var countdownsSeen = {};           // poll id → {start: seconds left when first seen, ten, up}

  function tickCountdowns() {
    var now = Date.now() + serverOffset;
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-countdown]"), function (box) {
      var left = Math.max(0, Math.ceil((Date.parse(box.dataset.closesAt) - now) / 1000));
      var time = box.querySelector(".live-countdown__time");
      var text = left > 0 ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") : "Time is up";
      if (time && time.textContent !== text) { time.textContent = text; }
      box.classList.toggle("live-countdown--low", left > 0 && left <= 10);
      box.classList.toggle("live-countdown--up", left === 0);
      var seen = countdownsSeen[box.dataset.poll];
      if (!seen) { seen = countdownsSeen[box.dataset.poll] = { start: left, ten: false, up: false }; }
      if (left > 0 && left <= 10 && seen.start > 10 && !seen.ten) {
        seen.ten = true;
        announce("10 seconds left to answer.");
      }
      if (left === 0 && !seen.up) {
        seen.up = true;
        if (seen.start > 0) { announce("Time is up. The poll is closed."); }
        // answers sent from now on would be refused: say so instead of offering to send
        Array.prototype.forEach.call(document.querySelectorAll("[data-live-answer]"), function (form) {
          var button = form.querySelector("button[type=submit]");
          var note = form.querySelector(".live-poll__status");
          if (button) { button.disabled = true; }
          if (note) { note.textContent = "Time is up."; }
        });
      }
    });
  }

  function startCountdowns() {
    tickCountdowns();
    window.setInterval(tickCountdowns, 250);
  }

  /* A sign of life every 30 s from a page the participant reads during the session. */
  function heartbeats(url, csrf, onEnded) {
    function beat() {
      fetch(url, {
        method: "POST", credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRFToken": csrf }
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (body) {
        if (body && body.live === false) { onEnded(); }
      }).catch(function () { /* the next beat will try again */ });
    }
    var timer = window.setInterval(beat, HEARTBEAT_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { beat(); } });
    return { beat: beat, stop: function () { window.clearInterval(timer); } };
  }

  /* --- participant --------------------------------------------------------------------- */
  /* An ended session that the presenter may still resume: ask now and then whether it runs again. */
  function awaitResume(root) {
    var until = Date.parse(root.dataset.resumableUntil || "");
    if (!until) { return; }
    function check() {
      if (Date.now() > until + 30000) { return; }
      getJSON(root.dataset.stateUrl).then(function (state) {
        if (state.status === "live") { window.location.reload(); } else { later(); }
      }).catch(later);
    }
    function later() { window.setTimeout(check, RESUME_CHECK_MS + Math.random() * 5000); }
    later();
  }

  function participant(root) {
    // An ended session changes no more, unless the presenter resumes it within a few minutes.
    if (root.dataset.status === "ended") { awaitResume(root); return; }
    var csrf = root.dataset.csrf;
    var lessonBox = document.getElementById("live-lesson");
    var pollBox = document.getElementById("poll");
    var connection = $("[data-live-connection]", root);
    var shown = lessonBox.querySelector("[data-lesson]");
    var panel = document.getElementById("poll-panel");
    var seen = {
      version: Number(root.dataset.version),
      lesson: shown ? shown.getAttribute("data-lesson") : "",
      poll: panel ? panel.getAttribute("data-poll") + ":" + panel.getAttribute("data-status") : "",
      leaderboard: panel ? panel.getAttribute("data-leaderboard") === "1" : false
    };
    var stream = null;

    var personal = null;             // the latest "personal" event: {version, poll, verdict, me}
    var polls = 0;                   // state reads while the stream is down (polling)

    function fillPersonal(parts) {
      var verdict = pollBox.querySelector("[data-live-verdict]");
      var me = pollBox.querySelector("[data-live-me]");
      if (verdict) { verdict.innerHTML = parts.verdict || ""; }
      if (me) { me.innerHTML = parts.me || ""; }
    }

    function refreshPoll() {
      return getText(root.dataset.pollUrl).then(function (html) { pollBox.innerHTML = html; });
    }

    function apply(state) {
      document.dispatchEvent(new CustomEvent("lectern:live-state", { detail: state }));   // live-slides.js
      if (state.version < seen.version) { return; }
      seen.version = state.version;
      var lesson = state.lesson ? state.lesson.slug : "";
      if (lesson !== seen.lesson) {
        seen.lesson = lesson;
        var show = function (html) {
          lessonBox.innerHTML = html;
          if (state.lesson) {
            announce("Your instructor moved to " + state.lesson.title + ".");
            lessonBox.scrollIntoView({ block: "start" });
          }
        };
        // a lesson change usually carries the lesson itself; after a reconnect it may not
        if (state.lesson && state.lesson.html) { show(state.lesson.html); }
        else { getText(root.dataset.lessonUrl).then(show); }
      }
      var poll = state.poll ? state.poll.id + ":" + state.poll.status : "";
      if (poll !== seen.poll || Boolean(state.leaderboard) !== seen.leaderboard) {
        var isNew = state.poll && (!seen.poll || seen.poll.split(":")[0] !== String(state.poll.id));
        var pollChanged = poll !== seen.poll;
        seen.poll = poll;
        seen.leaderboard = Boolean(state.leaderboard);
        // this person's verdict and rank came just before this state, in a "personal" event
        var mine = personal && personal.version === state.version ? personal : null;
        var shown;
        if (state.poll && state.poll.html) {
          // a new poll or a reveal arrives with the panel everyone sees: show it now and fill in
          // this page's token and what is personal; without the personal event (polling, a
          // reconnect), fetch it a moment later, spread out so a room does not ask at one instant
          pollBox.innerHTML = state.poll.html;
          Array.prototype.forEach.call(pollBox.querySelectorAll("input[name=csrf_token]"), function (input) {
            input.value = csrf;
          });
          shown = Promise.resolve();
          if (mine) { fillPersonal(mine); }
          else if (state.poll.status === "revealed" || state.leaderboard) {
            window.setTimeout(refreshPoll, 200 + Math.random() * 1500);
          }
        } else if (mine && !pollChanged) {
          fillPersonal(mine);              // the leaderboard was shown or hidden
          shown = Promise.resolve();
        } else {
          shown = refreshPoll();
        }
        shown.then(function () {
          if (isNew) {
            var timed = pollBox.querySelector("[data-live-countdown]");
            announce("A new poll is open." + (timed ? " " + timed.dataset.seconds + " seconds to answer." : ""));
            pollBox.scrollIntoView({ block: "start" });
          }
          else if (state.poll && state.poll.status === "revealed" && pollChanged) { announce("The answer has been revealed."); }
        });
      }
      // an open answer the instructor approved for the projector (or took off it): its author's mark
      var mine = pollBox.querySelector("[data-live-mine]");
      if (mine && state.poll && state.poll.approved) {
        mine.hidden = state.poll.approved.indexOf(Number(mine.getAttribute("data-live-mine"))) < 0;
      }
      if (state.status === "ended") {
        if (stream) { stream.close(); }
        window.location.reload();
      }
    }

    function status(text) {
      if (connection) { connection.textContent = text || "Following the instructor"; }
    }

    stream = listen(root.dataset.eventsUrl, {
      state: apply,
      personal: function (parts) { personal = parts; },
      qna: qnaChanged
    }, function () {
      getJSON(root.dataset.stateUrl).then(function (state) { status("Following the instructor (checking every few seconds)"); apply(state); })
        .catch(function () { status("Connection lost. Trying again…"); });
      polls += 1;
      if (polls % 3 === 0) { qnaChanged({}); }    // no stream, no "qna" events: the list is fetched now and then
    }, status);

    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches("[data-live-answer]")) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var note = form.querySelector(".live-poll__status");
      if (button.disabled) { return; }
      button.disabled = true;
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrf }
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (result) {
        if (result.ok) { return refreshPoll().then(function () { announce("Your answer is in."); }); }
        button.disabled = false;
        if (note) { note.textContent = result.body.message || "Your answer was not counted."; }
      }).catch(function () {
        button.disabled = false;
        if (note) { note.textContent = "Your answer could not be sent. Check the connection and try again."; }
      });
    });

    heartbeats(root.dataset.heartbeatUrl, csrf, function () { window.location.reload(); });
    startCountdowns();
  }

  /* The session's lesson opened on its own page: attendance keeps counting while it is open. */
  function lessonPage(root) {
    var beats = heartbeats(root.dataset.heartbeatUrl, root.dataset.csrf, function () {
      beats.stop();
      var text = $("[data-live-heartbeat-text]", root);
      if (text) { text.textContent = "The live session has ended."; }
      var dot = $(".live-dot", root);
      if (dot) { dot.classList.add("live-dot--off"); }
    });
    beats.beat();
  }

  /* --- presenter ----------------------------------------------------------------------- */
  function presenter(root) {
    var version = Number(root.dataset.version);
    var refresh = throttle(function () {
      getText(root.dataset.panelUrl).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("present-panel");
        var old = document.getElementById("present-panel");
        if (fresh && old && !old.contains(document.activeElement)) { old.replaceWith(fresh); }
      });
    }, 300);
    listen(root.dataset.eventsUrl, {
      state: function (state) {
        document.dispatchEvent(new CustomEvent("lectern:live-state", { detail: state }));   // live-slides.js
        version = Math.max(version, Number(root.dataset.version));   // live-slides.js moves slides in place
        if (state.version <= version) { return; }
        if (state.change === "slide") { version = state.version; return; }   // live-slides.js shows it
        // a poll closed by its countdown (the server, not another instructor): show it closed
        var panel = document.getElementById("present-panel");
        if (state.version === version + 1 && state.poll && state.poll.closes_at && state.poll.status === "closed" &&
            panel && panel.getAttribute("data-poll") === String(state.poll.id) &&
            panel.getAttribute("data-status") === "open") {
          version = state.version;
          refresh();
          return;
        }
        var stale = $("[data-live-stale]"); if (stale) { stale.hidden = false; }
      },
      tally: refresh,
      presence: refresh,
      qna: qnaChanged
    }, function () { refresh(); qnaChanged({}); }, function () {});
    startTimers();
    startCountdowns();
  }

  /* --- projector ----------------------------------------------------------------------- */
  function projector(root) {
    var refresh = throttle(function () {
      getText(root.dataset.panelUrl).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("projector-panel");
        var old = document.getElementById("projector-panel");
        if (fresh && old) { old.replaceWith(fresh); }
      });
    }, 300);
    listen(root.dataset.eventsUrl, { state: refresh, tally: refresh, presence: refresh, qna: refresh }, refresh, function () {});
    startTimers();
    startCountdowns();
  }

  var node = $("[data-live-participant]");
  if (node) { participant(node); }
  node = $("[data-live-presenter]");
  if (node) { presenter(node); }
  node = $("[data-live-projector]");
  if (node) { projector(node); }
  node = $("[data-live-heartbeat]");
  if (node) { lessonPage(node); }
}());
