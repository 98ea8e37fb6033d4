// A printable sheet: "Print" and "Save as CSV" buttons, shown only when this script runs (without
// it the page still prints from the browser's menu). The CSV is built here from the table, so the
// links it holds are never sent to the server again or stored anywhere.
(function () {
  "use strict";
  function cell(text) {
    var value = text.replace(/\s+/g, " ").trim();
    if (/^[=+\-@\t\r]/.test(value)) value = "'" + value;   // a spreadsheet must not run it as a formula
    return /[",\n;]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }
  function csvOf(table) {
    var lines = [];
    table.querySelectorAll("tr").forEach(function (row) {
      var cells = [];
      row.querySelectorAll("th, td").forEach(function (c) { cells.push(cell(c.textContent)); });
      lines.push(cells.join(","));
    });
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-csv-for]").forEach(function (link) {
    var table = document.getElementById(link.getAttribute("data-csv-for"));
    if (!table) return;
    link.href = URL.createObjectURL(new Blob([csvOf(table)], { type: "text/csv;charset=utf-8" }));
    link.setAttribute("download", link.getAttribute("data-csv-name") || "sheet.csv");
    link.hidden = false;
  });
})();
