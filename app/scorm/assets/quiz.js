/* A quiz SCO (knowledge check or day assessment), scored here in the browser as Lectern scores it
   (app/quizzes/types/): partial credit for several-answer, ordering and matching questions, points
   per question, the percentage to one decimal, passed at the quiz's pass mark.
   Reported: cmi.core.score.raw/min/max (the best attempt's percentage, 0–100) and lesson_status
   passed or failed. suspend_data: {"n": attempts used, "b": best %, "p": passed, "d": the questions of
   the current attempt in the order shown, "r": answers so far, "f": the last result while it is shown}. */
(function () {
  "use strict";
  var sco = window.LecternSCO;
  var data = JSON.parse(document.getElementById("quiz-data").textContent);
  var form = document.querySelector("[data-quiz-form]");
  var resultBox = document.querySelector("[data-quiz-result]");
  var gapsBox = document.querySelector("[data-quiz-gaps]");
  var submit = document.querySelector("[data-quiz-submit]");
  var again = document.querySelector("[data-quiz-again]");
  var byId = {};
  data.questions.forEach(function (q) { byId[q.id] = q; });
  var sections = {};
  document.querySelectorAll("section.question").forEach(function (el) { sections[el.getAttribute("data-qid")] = el; });

  var connected = sco.start();
  var state = connected ? sco.load() : {};
  var confirmGaps = false;

  /* --- drawing and order ------------------------------------------------------------------ */
  function shuffled(list) {
    var out = list.slice();
    for (var i = out.length - 1; i > 0; i -= 1) {
      var j = Math.floor(Math.random() * (i + 1)), t = out[i]; out[i] = out[j]; out[j] = t;
    }
    return out;
  }

  function drawOnce() {
    var ids = data.questions.map(function (q) { return q.id; });
    var n = data.draw ? Math.min(data.draw, ids.length) : ids.length;
    var picked;
    if (!data.draw) {
      picked = ids;
    } else if (data.stratified) {      /* one question per lesson first (app/quizzes/drawing.py), then at random */
      var groups = {}, order = [];
      data.questions.forEach(function (q) {
        if (q.group) { if (!groups[q.group]) { groups[q.group] = []; order.push(q.group); } groups[q.group].push(q.id); }
      });
      var firsts = order.map(function (g) { return shuffled(groups[g])[0]; });
      if (firsts.length > n) { picked = shuffled(firsts).slice(0, n); }
      else { picked = firsts.concat(shuffled(ids.filter(function (id) { return firsts.indexOf(id) < 0; })).slice(0, n - firsts.length)); }
    } else {
      picked = shuffled(ids).slice(0, n);
    }
    picked.sort(function (a, b) { return ids.indexOf(a) - ids.indexOf(b); });
    return data.shuffleQuestions ? shuffled(picked) : picked;
  }

  function draw(previous) {
    var key = function (list) { return list.slice().sort().join(" "); };
    var picked = drawOnce();
    for (var tries = 0; previous && tries < 20 && key(picked) === key(previous); tries += 1) { picked = drawOnce(); }
    return picked;
  }

  function arrange(asked) {
    Object.keys(sections).forEach(function (id) { sections[id].hidden = asked.indexOf(id) < 0 && !!byId[id]; });
    var anchor = gapsBox;
    asked.forEach(function (id, index) {
      var el = sections[id];
      if (!el) { return; }
      form.insertBefore(el, anchor);
      el.querySelector("[data-qnumber]").textContent = String(index + 1);
      var box = el.querySelector("[data-options]");
      var type = el.getAttribute("data-type");
      if (box && (type === "ordering" || (data.shuffleOptions && (type === "single" || type === "multiple")))) {
        shuffled(Array.prototype.slice.call(box.querySelectorAll("[data-option]"))).forEach(function (o) { box.appendChild(o); });
      }
    });
    Object.keys(sections).forEach(function (id) { if (!byId[id]) { form.insertBefore(sections[id], anchor); } });
  }

  /* --- answers: read from the page, kept in suspend_data, put back on resume -------------- */
  function inputs(id) { return sections[id].querySelectorAll("input, select"); }

  function readUi(id) {
    var type = byId[id].type, els = inputs(id), out;
    if (type === "single" || type === "true_false") {
      out = null;
      els.forEach(function (el) { if (el.checked) { out = el.value; } });
      return out;
    }
    if (type === "multiple") {
      out = [];
      els.forEach(function (el) { if (el.checked) { out.push(el.value); } });
      return out;
    }
    if (type === "ordering" || type === "matching") {
      out = {};
      els.forEach(function (el) { if (el.value) { out[el.getAttribute(type === "ordering" ? "data-item" : "data-pair")] = el.selectedIndex; } });
      return out;
    }
    return els[0].value;
  }

  function writeUi(id, value) {
    var type = byId[id].type, els = inputs(id);
    if (type === "single" || type === "true_false" || type === "multiple") {
      var chosen = Array.isArray(value) ? value : [value];
      els.forEach(function (el) { el.checked = chosen.indexOf(el.value) >= 0; });
    } else if (type === "ordering" || type === "matching") {
      els.forEach(function (el) {
        var k = el.getAttribute(type === "ordering" ? "data-item" : "data-pair");
        el.selectedIndex = value && typeof value[k] === "number" ? value[k] : 0;
      });
    } else {
      els[0].value = typeof value === "string" ? value : "";
    }
  }

  /* The answer in the shape Lectern scores (types/*.py answer_from_form). */
  function answerOf(id) {
    var q = byId[id], els = inputs(id);
    if (q.type === "ordering") {
      var positions = [];
      els.forEach(function (el) { if (el.value) { positions.push([parseInt(el.value, 10), el.getAttribute("data-item")]); } });
      if (!positions.length) { return null; }
      positions.sort(function (a, b) { return a[0] - b[0]; });
      var taken = positions.map(function (p) { return p[0]; });
      var unique = taken.every(function (p, i) { return taken.indexOf(p) === i; });
      if (positions.length === els.length && unique) { return positions.map(function (p) { return p[1]; }); }
      return positions.map(function (p) { return p[1]; }).concat(["__incomplete__"]);
    }
    if (q.type === "matching") {
      var chosen = {}, any = false;
      els.forEach(function (el) { if (el.value) { chosen[el.getAttribute("data-pair")] = el.value; any = true; } });
      return any ? chosen : null;
    }
    var value = readUi(id);
    return (Array.isArray(value) && !value.length) || value === "" ? null : value;
  }

  /* --- scoring, as app/quizzes/types/ does ---------------------------------------------- */
  function normalise(text) {
    return text.normalize("NFKD").toLowerCase().replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim()
      .replace(/^[ .,;:!?"'\u201c\u201d\u2018\u2019()[\]]+|[ .,;:!?"'\u201c\u201d\u2018\u2019()[\]]+$/g, "");
  }

  function parseNumber(text) {
    var cleaned = String(text).trim().replace(/\u2212/g, "-").replace(/[ \u00a0]/g, "");
    if (!cleaned || cleaned.length > 40 || !/^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/.test(cleaned)) { return null; }
    var value = parseFloat(cleaned.replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function credit(q, answer) {
    if (answer === null || answer === undefined) { return 0; }
    switch (q.type) {
      case "single": case "true_false":
        return q.key.indexOf(answer) >= 0 ? 1 : 0;
      case "multiple": {
        var right = answer.filter(function (a) { return q.key.indexOf(a) >= 0; }).length;
        return Math.max(0, (right - (answer.length - right)) / q.key.length);
      }
      case "ordering": {
        if (answer.length !== q.key.length || answer.slice().sort().join(" ") !== q.key.slice().sort().join(" ")) { return 0; }
        return answer.filter(function (a, i) { return a === q.key[i]; }).length / q.key.length;
      }
      case "matching": {
        var pairs = Object.keys(q.key);
        return pairs.filter(function (p) { return answer[p] === q.key[p]; }).length / pairs.length;
      }
      case "numeric": {
        var value = parseNumber(answer);
        return value !== null && Math.abs(value - q.key.number) <= q.key.tolerance + 1e-9 ? 1 : 0;
      }
      case "short_text":
        return q.key.indexOf(normalise(String(answer))) >= 0 ? 1 : 0;
      default:
        return 0;
    }
  }

  function unanswered(id) {
    var q = byId[id], answer = answerOf(id);
    if (answer === null) { return true; }
    if (q.type === "ordering") { return answer.indexOf("__incomplete__") >= 0; }
    if (q.type === "matching") { return Object.keys(q.key).some(function (p) { return !answer[p]; }); }
    return false;
  }

  function score(asked) {
    var got = 0, outOf = 0, marks = {};
    asked.forEach(function (id) {
      var q = byId[id], c = credit(q, answerOf(id));
      marks[id] = c;
      got += c * q.points;
      outOf += q.points;
    });
    var pct = outOf ? Math.round(1000 * got / outOf) / 10 : 0;
    return { pct: pct, passed: outOf > 0 && got * 100 >= data.passMark * outOf - 1e-9, marks: marks };
  }

  /* --- the page ------------------------------------------------------------------------- */
  function attemptsLeft() { return data.attempts === null || (state.n || 0) < data.attempts; }

  function persist() {
    if (!sco.connected()) { return; }
    state.r = {};
    (state.d || []).forEach(function (id) { state.r[id] = readUi(id); });
    sco.save(state);
  }

  function lock(locked) {
    (state.d || []).forEach(function (id) { inputs(id).forEach(function (el) { el.disabled = locked; }); });
    submit.hidden = locked;
  }

  function showResult(result) {
    var best = state.b;
    resultBox.hidden = false;
    resultBox.textContent = "";
    var head = document.createElement("p");
    head.className = "sco-result__score";
    head.textContent = "You scored " + result.pct + "% (pass mark " + data.passMark + "%): " +
      (result.passed ? "passed." : "not passed yet.");
    resultBox.appendChild(head);
    var more = document.createElement("p");
    more.className = "small muted";
    more.textContent = "Best score: " + best + "% · attempts used: " + state.n +
      (data.attempts === null ? "" : " of " + data.attempts) + ".";
    resultBox.appendChild(more);
    (state.d || []).forEach(function (id) {
      var el = sections[id], c = result.marks[id], verdict = el.querySelector("[data-verdict]");
      verdict.hidden = false;
      verdict.textContent = c >= 1 ? "Right" : (c > 0 ? "Partly right" : "Wrong");
      verdict.className = "question__verdict " + (c >= 1 ? "is-right" : (c > 0 ? "is-partly" : "is-wrong"));
      if (data.feedback === "immediate") {
        el.querySelector("[data-explanation]").hidden = false;
        el.querySelectorAll(".choice").forEach(function (choice) {
          var input = choice.querySelector("input"), fb = choice.querySelector("[data-feedback]");
          if (fb) { fb.hidden = !input.checked; }
        });
      }
    });
    lock(true);
    again.hidden = !attemptsLeft();
    resultBox.setAttribute("tabindex", "-1");
  }

  function clearResult() {
    resultBox.hidden = true;
    again.hidden = true;
    document.querySelectorAll("[data-verdict], [data-explanation], [data-feedback]").forEach(function (el) { el.hidden = true; });
    lock(false);
  }

  function begin(previous) {
    state.d = draw(previous);
    state.r = {};
    state.f = null;
    Object.keys(sections).forEach(function (id) { if (byId[id]) { writeUi(id, null); } });
    arrange(state.d);
    clearResult();
    persist();
  }

  form.addEventListener("change", function () { confirmGaps = false; gapsBox.hidden = true; persist(); });
  form.addEventListener("input", persist);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!attemptsLeft()) { return; }
    var gaps = state.d.filter(unanswered).length;
    if (gaps && !confirmGaps) {
      confirmGaps = true;
      gapsBox.hidden = false;
      gapsBox.textContent = gaps + (gaps === 1 ? " question is" : " questions are") +
        " not answered yet. Submit anyway, or go back and answer " + (gaps === 1 ? "it." : "them.");
      submit.textContent = "Submit anyway";
      return;
    }
    confirmGaps = false;
    gapsBox.hidden = true;
    submit.textContent = "Submit answers";
    var result = score(state.d);
    state.n = (state.n || 0) + 1;
    state.b = Math.max(typeof state.b === "number" ? state.b : 0, result.pct);
    state.p = !!state.p || result.passed;
    state.f = { pct: result.pct, passed: result.passed, marks: result.marks };
    persist();
    if (sco.connected()) {
      sco.set("cmi.core.score.min", "0");
      sco.set("cmi.core.score.max", "100");
      sco.set("cmi.core.score.raw", String(state.b));
      sco.set("cmi.core.lesson_status", state.p ? "passed" : "failed");
      sco.set("cmi.core.exit", state.p || !attemptsLeft() ? "" : "suspend");
      sco.commit();
    }
    showResult(state.f);
    resultBox.focus();
  });

  document.querySelector("[data-quiz-retake]").addEventListener("click", function () {
    begin(state.d);
    var first = sections[state.d[0]];
    if (first) { first.scrollIntoView(); }
  });

  sco.beforeFinish(function () {
    persist();
    sco.set("cmi.core.exit", state.p || !attemptsLeft() ? "" : "suspend");
  });

  /* --- start: resume what suspend_data holds, or a new attempt -------------------------- */
  if (connected) {
    var status = sco.get("cmi.core.lesson_status");
    if (status === "not attempted" || status === "") { sco.set("cmi.core.lesson_status", "incomplete"); }
  }
  var known = Array.isArray(state.d) && state.d.length && state.d.every(function (id) { return byId[id]; });
  if (known) {
    arrange(state.d);
    Object.keys(state.r || {}).forEach(function (id) { if (byId[id]) { writeUi(id, state.r[id]); } });
    if (state.f) { showResult(state.f); }
  } else {
    state = { n: state.n || 0, b: state.b, p: state.p };
    begin(null);
  }
}());
