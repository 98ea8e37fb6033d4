/* Lectern: presenting a lesson as slides in a live session (app/live/slide_views.py).
 * Presenter: → PageDown Space for the next slide, ← PageUp for the previous one, and the
 * Previous/Next buttons, as POSTs with the CSRF header; the answer carries the fresh panel (the
 * slide beside its notes). Without JavaScript the buttons are ordinary forms.
 * Phones: follow the slide when the presenter turns "Slides on phones" on. The slide arrives in
 * the "state" event that live.js receives (it re-dispatches it as "lectern:live-state"); after a
 * reconnect, when the event carried no HTML, the slide is fetched. */
(function () {
  "use strict";

  function post(url, csrf) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); });
  }

  /* --- presenter ----------------------------------------------------------------------- */
  function presenter() {
    var busy = false;

    function box() { return document.getElementById("present-slides"); }

    function replace(html) {
      var old = box();
      if (!old) { return; }
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("present-slides");
      if (fresh) { old.replaceWith(fresh); }
    }

    function setVersion(version) {
      // the presenter's own change is not "another instructor's" (live.js compares versions)
      var root = document.querySelector("[data-live-presenter]");
      if (root && Number(root.dataset.version) < version) { root.dataset.version = String(version); }
    }

    function move(url) {
      var panel = box();
      if (!panel || busy || !url) { return; }
      busy = true;
      post(url, panel.dataset.csrf).then(function (result) {
        if (result.ok) { setVersion(result.body.version); replace(result.body.html); }
      }).catch(function () { /* the buttons still work as forms */ })
        .then(function () { busy = false; });
    }

    document.addEventListener("keydown", function (event) {
      var panel = box();
      if (!panel || !panel.querySelector("[data-slide-position]")) { return; }
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var target = event.target;
      if (target && target.closest && target.closest("input, textarea, select, button, a, summary, [contenteditable]")) { return; }
      var next = ["ArrowRight", "PageDown", " ", "Spacebar"].indexOf(event.key) >= 0;
      var previous = ["ArrowLeft", "PageUp"].indexOf(event.key) >= 0;
      if (!next && !previous) { return; }
      event.preventDefault();
      move(next ? panel.dataset.nextUrl : panel.dataset.previousUrl);
    });

    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches("[data-slide-move]")) { return; }
      event.preventDefault();
      move(form.action);
    });

    // another instructor moved the slides: show where they are now
    document.addEventListener("lectern:live-state", function (event) {
      var state = event.detail, panel = box();
      if (!panel || state.change !== "slide" || !state.slide) { return; }
      if (Number(panel.dataset.version) >= state.version || String(state.slide.index) === panel.dataset.index) { return; }
      fetch(panel.dataset.panelUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) { setVersion(state.version); replace(html); } });
    });
  }

  /* --- phones -------------------------------------------------------------------------- */
  function phone(slideBox) {
    var lessonBox = document.getElementById("live-lesson");
    var shown = null;           // the slide index shown, or null when phones keep the lesson

    function showLesson() {
      shown = null;
      slideBox.hidden = true;
      slideBox.innerHTML = "";
      if (lessonBox) { lessonBox.hidden = false; }
    }

    function showSlide(html) {
      if (!html) { showLesson(); return; }
      slideBox.innerHTML = html;
      slideBox.hidden = false;
      if (lessonBox) { lessonBox.hidden = true; }
      var node = slideBox.querySelector("[data-slide-index]");
      shown = node ? node.getAttribute("data-slide-index") : "";
    }

    function fetchSlide() {
      fetch(slideBox.dataset.slideUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.status === 200 ? r.text() : ""; })
        .then(showSlide).catch(function () { /* the next state tries again */ });
    }

    document.addEventListener("lectern:live-state", function (event) {
      var slide = event.detail.slide;
      if (!slide || !slide.on_phones || event.detail.status !== "live") {
        if (shown !== null) { showLesson(); }
        return;
      }
      if (slide.html) { showSlide(slide.html); }
      else if (String(slide.index) !== shown) { fetchSlide(); }
    });
    fetchSlide();              // on opening the page: follow the slides if the presenter said so
  }

  if (document.getElementById("present-slides")) { presenter(); }
  var slideBox = document.getElementById("live-slide");
  if (slideBox) { phone(slideBox); }
}());
