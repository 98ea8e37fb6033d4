/* Lectern live sessions: Q&A on the participant page and the presenter view (docs/LIVE.md,
 * "Questions from the room"). live.js owns the event stream and hands each "qna" event on as a
 * `live:qna` DOM event. A participant's event carries the room's list as HTML with nothing
 * personal in it; this script marks the page's own questions and votes (known from the page and
 * from its own actions) and fills in the CSRF token. Staff pages fetch their own board (names).
 * Without JavaScript the forms post and the page comes back. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function ids(text) { return new Set((text || "").split(" ").filter(Boolean)); }

  function getText(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.text();
    });
  }

  function post(url, csrf, body) {
    var headers = { "Accept": "application/json", "X-CSRFToken": csrf };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(url, {
      method: "POST", credentials: "same-origin", headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { ok: r.ok, body: data }; });
    });
  }

  function announce(text) {
    var region = $("[data-live-announce]");
    if (region) { region.textContent = ""; window.setTimeout(function () { region.textContent = text; }, 50); }
  }

  /* Which control had the focus inside `box`, so a list replaced under it keeps it. */
  function focusKey(box) {
    var el = document.activeElement;
    if (!el || !box.contains(el)) { return null; }
    var item = el.closest("[data-question]"), form = el.closest("form");
    return item ? { question: item.getAttribute("data-question"), action: form ? form.getAttribute("action") : "" } : null;
  }

  function restoreFocus(box, key) {
    if (!key) { return; }
    var item = box.querySelector('[data-question="' + key.question + '"]');
    if (!item) { return; }
    var buttons = Array.prototype.filter.call(item.querySelectorAll("form:not([hidden]) button"), function (b) {
      return !b.closest("[hidden]");
    });
    var same = buttons.filter(function (b) { return b.form && b.form.getAttribute("action") === key.action; })[0];
    var target = same || buttons[0];
    if (target) { target.focus(); }
  }

  /* --- participant --------------------------------------------------------------------- */
  function participant(root) {
    var csrf = root.dataset.csrf;
    var mine = ids(root.dataset.mine), voted = ids(root.dataset.voted);
    var listBox = $("[data-qna-list]", root);
    var status = $("[data-qna-status]", root);

    function personalise() {
      Array.prototype.forEach.call(listBox.querySelectorAll("[data-question]"), function (item) {
        var id = item.getAttribute("data-question");
        var own = mine.has(id), up = voted.has(id);
        var ownNote = item.querySelector("[data-qna-own]");
        var upForm = item.querySelector('[data-qna-vote="up"]'), downForm = item.querySelector('[data-qna-vote="down"]');
        if (ownNote) { ownNote.hidden = !own; }
        if (upForm) { upForm.hidden = own || up; }
        if (downForm) { downForm.hidden = own || !up; }
      });
      Array.prototype.forEach.call(listBox.querySelectorAll("input[name=csrf_token]"), function (input) { input.value = csrf; });
    }

    function show(html) {
      var key = focusKey(listBox);
      var more = $("[data-qna-more]", listBox), open = Boolean(more && more.open);
      listBox.innerHTML = html;
      more = $("[data-qna-more]", listBox);
      if (more && (open || (key && more.querySelector('[data-question="' + key.question + '"]')))) { more.open = true; }
      personalise();
      restoreFocus(listBox, key);
    }

    function refresh() { return getText(root.dataset.listUrl).then(show); }

    document.addEventListener("live:qna", function (event) {
      if (event.detail && typeof event.detail.html === "string") { show(event.detail.html); }
      else { refresh(); }
    });
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });

    root.addEventListener("submit", function (event) {
      var form = event.target;
      var ask = form.matches("[data-qna-ask]"), vote = form.matches("[data-qna-vote]");
      if (!ask && !vote) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button.disabled) { return; }
      button.disabled = true;
      var text = ask ? form.querySelector("textarea").value : undefined;
      post(form.action, csrf, ask ? { text: text } : undefined).then(function (result) {
        button.disabled = false;
        if (ask) {
          if (result.ok) {
            mine.add(String(result.body.question));
            form.reset();
            status.textContent = "Your question is in.";
          } else {
            status.textContent = result.body.message || "Your question was not sent.";
          }
          return refresh();
        }
        var id = String(result.body.question || "");
        if (result.ok) {
          if (result.body.voted) { voted.add(id); } else { voted.delete(id); }
          announce(result.body.voted ? "Your vote is in." : "Your vote is withdrawn.");
        } else {
          announce(result.body.message || "Your vote was not counted.");
        }
        return refresh();
      }).catch(function () {
        button.disabled = false;
        if (status) { status.textContent = "Not sent. Check the connection and try again."; }
      });
    });
    personalise();
  }

  /* --- presenter ----------------------------------------------------------------------- */
  function presenter(root) {
    var busy = false, again = false;
    function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      getText(root.dataset.boardUrl).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("qna-board"), old = document.getElementById("qna-board");
        if (fresh && old) {
          var key = focusKey(old);
          old.replaceWith(fresh);
          restoreFocus(fresh, key);
        }
      }).catch(function () { /* the next event tries again */ }).then(function () {
        busy = false;
        if (again) { again = false; window.setTimeout(refresh, 300); }
      });
    }
    document.addEventListener("live:qna", refresh);
  }

  var node = $("[data-live-qna]");
  if (node) { participant(node); }
  node = $("[data-live-qna-staff]");
  if (node) { presenter(node); }
}());
