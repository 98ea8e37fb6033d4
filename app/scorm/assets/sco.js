/* Lectern SCORM 1.2 package: the talk with the LMS (the SCORM 1.2 run-time API).
   The API is found the standard way: the nearest window.API up the parents, then up the opener's.
   Every page of the package is one SCO: it calls LMSInitialize once and LMSFinish once. */
(function () {
  "use strict";

  function search(win) {
    for (var tries = 0; win && tries < 500; tries += 1) {
      try {
        if (win.API) { return win.API; }
      } catch (e) { return null; }           // a parent from another origin: stop there
      if (!win.parent || win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }

  function findAPI() {
    var api = search(window);
    if (!api && window.opener) { api = search(window.opener); }
    return api;
  }

  function pad(n, width) { var s = String(n); while (s.length < width) { s = "0" + s; } return s; }

  var api = null, started = false, finished = false, startedAt = Date.now(), onFinish = [];

  var sco = {
    /* Connect to the LMS; false (and a notice on the page) when there is none. */
    start: function () {
      api = findAPI();
      if (!api) {
        var notice = document.querySelector("[data-sco-offline]");
        if (notice) { notice.hidden = false; }
        return false;
      }
      started = String(api.LMSInitialize("")) === "true";
      return started;
    },
    connected: function () { return started && !finished; },
    get: function (name) { return sco.connected() ? String(api.LMSGetValue(name)) : ""; },
    set: function (name, value) { return sco.connected() ? String(api.LMSSetValue(name, String(value))) === "true" : false; },
    commit: function () { return sco.connected() ? String(api.LMSCommit("")) === "true" : false; },
    /* Called just before the SCO ends, to write what is still in the page (suspend data, exit). */
    beforeFinish: function (fn) { onFinish.push(fn); },
    sessionTime: function () {
      var cs = Math.round((Date.now() - startedAt) / 10), s = Math.floor(cs / 100);
      return pad(Math.floor(s / 3600), 4) + ":" + pad(Math.floor(s / 60) % 60, 2) + ":" + pad(s % 60, 2) + "." + pad(cs % 100, 2);
    },
    finish: function () {
      if (!sco.connected()) { return; }
      onFinish.forEach(function (fn) { fn(); });
      sco.set("cmi.core.session_time", sco.sessionTime());
      sco.commit();
      api.LMSFinish("");
      finished = true;
    },
    /* suspend_data as JSON (SCORM 1.2 allows 4,096 characters; writers keep it short). */
    load: function () {
      try { var data = JSON.parse(sco.get("cmi.suspend_data") || "{}"); return data && typeof data === "object" ? data : {}; }
      catch (e) { return {}; }
    },
    save: function (data) {
      var text = JSON.stringify(data);
      if (text.length <= 4096) { sco.set("cmi.suspend_data", text); }
      return text.length <= 4096;
    }
  };

  window.addEventListener("pagehide", sco.finish);
  window.addEventListener("beforeunload", sco.finish);
  window.LecternSCO = sco;
}());
