// Every page: on a phone the main navigation folds into a "Menu" button (a wide screen shows it
// whole; without this script it stays open). Escape closes the menu and returns focus to it.
(function () {
  "use strict";
  // Tables that stack into one card per row on a phone (.table--stack in lectern.css) label each
  // cell with its column's heading.
  document.querySelectorAll("table.table--stack").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.replace(/\s+/g, " ").trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (cell.tagName === "TD" && headings[i] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", headings[i]);
        }
      });
    });
  });
  // Forms that must be sent once (an activity submitted for review): a second click does nothing.
  // The server records one submission anyway; this only spares a second round trip.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
    });
  });
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) return;
  header.classList.add("has-menu");
  function set(open) {
    header.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  toggle.addEventListener("click", function () { set(!header.classList.contains("is-open")); });
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("is-open")) {
      set(false);
      toggle.focus();
    }
  });
})();
