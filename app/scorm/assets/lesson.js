/* A lesson SCO: "incomplete" once opened, "completed" when the trainee marks it complete.
   suspend_data keeps where they were: {"y": scroll position, "s": headings seen (anchors)}. */
(function () {
  "use strict";
  var sco = window.LecternSCO;
  var done = document.querySelector("[data-lesson-done]");
  var todo = document.querySelector("[data-lesson-todo]");
  var button = document.querySelector("[data-lesson-complete]");
  var connected = sco.start();
  var state = connected ? sco.load() : {};
  var seen = Array.isArray(state.s) ? state.s.slice() : [];
  var completed = false;

  function showCompleted() {
    completed = true;
    done.hidden = false;
    todo.hidden = true;
  }

  var resumeAt = typeof state.y === "number" && state.y > 0 && !window.location.hash ? state.y : 0;

  function remember() {
    state = { y: resumeAt || Math.round(window.scrollY || 0), s: seen };
    if (!sco.save(state)) { state.s = []; sco.save(state); }
  }

  if (connected) {
    var status = sco.get("cmi.core.lesson_status");
    if (status === "completed" || status === "passed") {
      showCompleted();
    } else if (status === "not attempted" || status === "") {
      sco.set("cmi.core.lesson_status", "incomplete");
    }
    if (resumeAt) {   /* once the fonts are in, so the page has its final height */
      window.addEventListener("load", function () {
        var fonts = document.fonts ? document.fonts.ready : Promise.resolve();
        fonts.then(function () { window.scrollTo(0, resumeAt); resumeAt = 0; });
      });
    }
  }

  button.addEventListener("click", function () {
    if (sco.connected()) {
      sco.set("cmi.core.lesson_status", "completed");
      sco.set("cmi.core.exit", "");
      sco.commit();
    }
    showCompleted();
    done.setAttribute("tabindex", "-1");
    done.focus();
  });

  /* Which sections the trainee has scrolled past: kept for resuming and for the LMS's records. */
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      var changed = false;
      entries.forEach(function (entry) {
        var id = entry.target.id;
        if (entry.isIntersecting && id && seen.indexOf(id) < 0) { seen.push(id); changed = true; }
      });
      if (changed && sco.connected()) { remember(); }
    });
    document.querySelectorAll(".prose h2[id], #objectives, #lesson-complete").forEach(function (el) { observer.observe(el); });
  }

  var timer = null;
  window.addEventListener("scroll", function () {
    if (timer || !sco.connected()) { return; }
    timer = window.setTimeout(function () { timer = null; remember(); }, 1000);
  }, { passive: true });

  sco.beforeFinish(function () {
    remember();
    sco.set("cmi.core.exit", completed ? "" : "suspend");
  });
}());
