/* 附表4 form: 比上期 / 比年初增减 and 增速 recomputed as the filer types (the page's own numbers are the
   server's on load; this only follows the inputs). Each indicator row declares itself:
     <tr data-t4-line data-kind="amount|count|rate" data-base="…" data-prev="…">
       <input …>  <td data-role="change-prev">  <td data-role="change">  <td data-role="growth">
   and <button data-t4-fill-previous> copies the 上期 numbers into the inputs still empty.
   Display as reports/schedules/numbers.py: thousands separators, amounts 2 decimals, counts whole,
   a rate's change in 个百分点 (2 decimals), signed with “+” / “−” (U+2212), half-up, “—” when missing. */
(function () {
  "use strict";

  var MINUS = "\u2212";
  var EMPTY = "\u2014";

  function parse(text) {
    if (text === null || text === undefined) { return null; }
    var s = String(text).trim()
      .replace(/[\uff10-\uff19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/\uff0e/g, ".").replace(/[,，\s]/g, "").replace(/[（(]?万元[)）]?$|万$|%$|％$|户$|个$|家$/g, "");
    if (s === "" || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) { return null; }
    return Number(s);
  }

  function fixed(value, places) {
    var factor = Math.pow(10, places);
    var rounded = Math.floor(Math.abs(value) * factor + 0.5 + 1e-9) / factor;  // half-up on the magnitude
    var parts = rounded.toFixed(places).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var text = parts.join(".");
    var zero = Number(rounded) === 0;
    return zero ? text : (value < 0 ? MINUS : "+") + text;
  }

  function changeText(kind, delta) {
    if (delta === null) { return EMPTY; }
    if (kind === "count") { return fixed(delta, 0); }
    if (kind === "rate") { return fixed(delta, 2) + " 个百分点"; }
    return fixed(delta, 2);
  }

  function paint(cell, kind, delta) {
    if (!cell) { return; }
    cell.textContent = changeText(kind, delta);
    cell.classList.remove("text-success", "text-danger");
    if (delta !== null && Math.abs(delta) > 1e-9) { cell.classList.add(delta > 0 ? "text-success" : "text-danger"); }
  }

  function update(row) {
    var input = row.querySelector("input");
    if (!input) { return; }
    var kind = row.getAttribute("data-kind");
    var current = parse(input.value);
    var base = parse(row.getAttribute("data-base"));
    var prev = parse(row.getAttribute("data-prev"));
    var delta = current !== null && base !== null ? current - base : null;
    var deltaPrev = current !== null && prev !== null ? current - prev : null;
    paint(row.querySelector("[data-role=change]"), kind, delta);
    paint(row.querySelector("[data-role=change-prev]"), kind, deltaPrev);
    var growth = row.querySelector("[data-role=growth]");
    if (growth && kind !== "rate") {
      growth.textContent = delta !== null && base !== 0 ? fixed(delta / base * 100, 2) + "%" : EMPTY;
    }
  }

  // 从上期带入: the previous period's number into every indicator not filled in yet
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-t4-fill-previous]") : null;
    if (!button) { return; }
    var rows = document.querySelectorAll("tr[data-t4-line]");
    for (var i = 0; i < rows.length; i++) {
      var input = rows[i].querySelector("input");
      var prev = rows[i].getAttribute("data-prev");
      if (input && input.value.trim() === "" && prev) {
        input.value = prev;
        update(rows[i]);
      }
    }
  });

  document.addEventListener("input", function (event) {
    var row = event.target.closest ? event.target.closest("tr[data-t4-line]") : null;
    if (row) { update(row); }
  });

  function all() {
    var rows = document.querySelectorAll("tr[data-t4-line]");
    for (var i = 0; i < rows.length; i++) { update(rows[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
}());
