/* Small page behaviours, declared in the templates by data-* attributes (the Content-Security-Policy
   allows no inline script or on*= handler):
     <select data-autosubmit>            submits its form when the choice changes
     <form data-confirm="…">             asks before submitting; <button data-confirm="…"> asks before its click
     <button data-copy-target="#id">     copies the value of that input to the clipboard
     <a data-history-back>               goes back one page
     <input type="checkbox" data-check-all="name">  (un)checks every enabled checkbox named "name" of its form
     <button data-print>                 opens the browser's print dialog (print / save as PDF)
   Listeners sit on the document, so content swapped in by htmx behaves the same. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
    if (el.matches && el.matches("input[type=checkbox][data-check-all]")) {
      var boxes = Array.prototype.filter.call(
        document.querySelectorAll("input[type=checkbox][name='" + el.getAttribute("data-check-all") + "']:not(:disabled)"),
        function (box) { return !el.form || box.form === el.form; });
      Array.prototype.forEach.call(boxes, function (box) { box.checked = el.checked; });
    }
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-confirm]:not(form), [data-copy-target], [data-history-back], [data-print]") : null;
    if (!el) { return; }
    if (el.hasAttribute("data-confirm") && el.tagName !== "FORM") {
      if (!window.confirm(el.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
      return;
    }
    if (el.hasAttribute("data-copy-target")) {
      var source = document.querySelector(el.getAttribute("data-copy-target"));
      if (source && navigator.clipboard) { navigator.clipboard.writeText(source.value); }
      return;
    }
    if (el.hasAttribute("data-history-back")) {
      event.preventDefault();
      window.history.back();
      return;
    }
    if (el.hasAttribute("data-print")) {
      event.preventDefault();
      window.print();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
}());
