/* 表格编辑: the spreadsheet of 附表1 / 附表5 (templates/reports/sheet.html), on Tabulator (MIT, vendored).
   Columns come from the server (the schedule's definition, reports/filings/sheet.py) — none are written
   here. The server is the judge: after every change a debounced dry run of the rows API
   (POST /api/v1/filings/{id}/rows/?dry_run=1, the service the xlsx upload uses) returns the errors and
   warnings per row and column, which are painted on the cells; 保存 sends the whole sheet once, with
   the lock_version it was loaded at (409: someone else saved in between). Undo / redo are snapshots
   of the sheet (a pasted block is one step). No inline script, no eval (CSP script-src 'self'). */
(function () {
  "use strict";

  var el = document.getElementById("sheet");
  if (!el || !window.Tabulator) { return; }
  var VALIDATE_DELAY = 400;
  var UNDO_LIMIT = 100;
  var S = {
    cfg: null, table: null, keys: [], nextId: 1, undo: [], redo: [], last: null, suppress: 0,
    issues: {}, pending: false, seq: 0, inflight: false, again: false, timer: null, dirty: false, lock: null, saving: false,
  };
  var q = function (sel) { return document.querySelector(sel); };
  var statusEl = q("[data-testid=sheet-status]");
  var alertEl = q("[data-testid=sheet-alert]");
  var countEl = q("[data-testid=sheet-count]");
  var generalEl = q("[data-testid=sheet-issues]");

  function setState(state, text) {
    el.setAttribute("data-state", state);
    if (text !== undefined) { statusEl.textContent = text; }
  }

  function showAlert(text) {
    alertEl.textContent = text || "";
    alertEl.classList.toggle("d-none", !text);
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // --- rows -------------------------------------------------------------------------------------
  function blankRow() {
    var row = { _id: S.nextId++ };
    S.keys.forEach(function (k) { row[k] = ""; });
    return row;
  }

  function withId(values) {
    var row = blankRow();
    S.keys.forEach(function (k) { row[k] = values[k] == null ? "" : String(values[k]); });
    return row;
  }

  function snapshot() {
    return S.table.getData().map(function (r) { return Object.assign({}, r); });
  }

  function isBlank(row) {
    return S.keys.every(function (k) { return row[k] == null || String(row[k]).trim() === ""; });
  }

  // The rows as the API takes them: blank rows left out, blank cells absent (as an empty xlsx cell).
  function rowsForServer() {
    var ids = [], rows = [];
    S.table.getData().forEach(function (r) {
      if (isBlank(r)) { return; }
      var out = {};
      S.keys.forEach(function (k) { if (r[k] != null && String(r[k]).trim() !== "") { out[k] = String(r[k]); } });
      ids.push(r._id);
      rows.push(out);
    });
    return { ids: ids, rows: rows };
  }

  // --- change tracking, undo / redo ---------------------------------------------------------------
  // Tabulator reports every cell it changes (clearing a range: one call per cell): one undo step per turn.
  function changed() {
    if (S.suppress || S.pending) { return; }
    S.pending = true;
    setTimeout(commit, 0);
  }

  function commit() {
    S.pending = false;
    S.undo.push(S.last);
    if (S.undo.length > UNDO_LIMIT) { S.undo.shift(); }
    S.redo = [];
    S.last = snapshot();
    markDirty();
  }

  function markDirty() {
    S.dirty = true;
    buttons();
    countRows();
    scheduleValidation();
  }

  function restore(from, to) {
    if (!from.length) { return; }
    to.push(S.last);
    S.last = from.pop();
    S.suppress++;
    S.table.replaceData(S.last.map(function (r) { return Object.assign({}, r); })).then(function () {
      S.suppress--;
      markDirty();
    });
  }

  function buttons() {
    var set = function (action, disabled) {
      var b = q("[data-sheet-action=" + action + "]");
      if (b) { b.disabled = disabled; }
    };
    set("undo", !S.undo.length || S.saving);
    set("redo", !S.redo.length || S.saving);
    set("save", !S.dirty || S.saving);
  }

  function countRows() {
    var n = 0;
    S.table.getData().forEach(function (r) { if (!isBlank(r)) { n++; } });
    countEl.textContent = "共 " + n + " 行" + (S.dirty ? "（有未保存的修改）" : "");
  }

  // --- issues from the server ----------------------------------------------------------------------
  function applyIssues(ids, answer) {
    var before = Object.keys(S.issues);
    var issues = {}, general = [];
    var add = function (level, i) {
      var id = i.row ? ids[i.row - 1] : null;
      if (id == null) { general.push({ level: level, text: (i.label ? i.label + "：" : "") + i.message }); return; }
      var field = S.keys.indexOf(i.field) >= 0 ? i.field : S.keys[0];
      issues[id] = issues[id] || {};
      (issues[id][field] = issues[id][field] || []).push({ level: level, message: i.message });
    };
    (answer.errors || []).forEach(function (i) { add("error", i); });
    (answer.warnings || []).forEach(function (i) { add("warning", i); });
    S.issues = issues;
    var touched = {};
    before.concat(Object.keys(issues)).forEach(function (id) { touched[id] = true; });
    Object.keys(touched).forEach(function (id) {
      var row = S.table.getRow(Number(id));
      if (row) { row.reformat(); }
    });
    showGeneral(general);
  }

  function showGeneral(general) {
    var list = generalEl.querySelector("ul");
    list.textContent = "";
    general.forEach(function (g) {
      var li = document.createElement("li");
      li.className = g.level === "error" ? "text-danger" : "text-warning-emphasis";
      li.textContent = (g.level === "error" ? "错误：" : "提示：") + g.text;
      list.appendChild(li);
    });
    generalEl.classList.toggle("d-none", !general.length);
  }

  function summary(answer) {
    var e = (answer.errors || []).length, w = (answer.warnings || []).length;
    if (e) { return e + " 个错误（红色单元格），" + w + " 个提示"; }
    return "校验通过" + (w ? "，" + w + " 个提示（黄色单元格）" : "");
  }

  // --- the API ---------------------------------------------------------------------------------------
  function post(dryRun, body) {
    return fetch(S.cfg.api + (dryRun ? "?dry_run=1" : ""), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) { return { status: resp.status, data: data, resp: resp }; });
    });
  }

  function scheduleValidation() {
    if (!S.cfg.can_edit) { return; }
    clearTimeout(S.timer);
    S.timer = setTimeout(validate, VALIDATE_DELAY);
  }

  function validate() {
    if (S.inflight) { S.again = true; return; }
    var sent = rowsForServer();
    var seq = ++S.seq;
    S.inflight = true;
    setState("validating", (S.dirty ? "有未保存的修改 · " : "") + "服务器校验中…");
    post(true, { rows: sent.rows }).then(function (r) {
      S.inflight = false;
      if (r.status === 429) { S.timer = setTimeout(validate, 3000); return; }
      if (S.again) { S.again = false; validate(); return; }
      if (seq !== S.seq || S.saving) { return; }
      if (r.status !== 200 && r.status !== 400) { setState("error", "校验失败：" + (r.data.message || r.status)); return; }
      applyIssues(sent.ids, r.data);
      performance.mark("sheet-validated");
      setState("validated", (S.dirty ? "有未保存的修改 · " : "") + summary(r.data));
    }, function () {
      S.inflight = false;
      setState("error", "无法连接服务器，校验未完成。");
    });
  }

  function save() {
    if (S.saving) { return; }
    clearTimeout(S.timer);
    S.saving = true;
    buttons();
    showAlert("");
    var sent = rowsForServer();
    setState("saving", "正在保存…");
    post(false, { rows: sent.rows, lock_version: S.lock }).then(function (r) {
      S.saving = false;
      S.seq++;  // an answer to an earlier dry run is out of date
      if (r.status === 200) {
        S.lock = r.data.lock_version;
        S.dirty = false;
        applyIssues(sent.ids, r.data);
        setState("saved", (r.data.message || "已保存") + (r.data.warnings && r.data.warnings.length ? "（" + r.data.warnings.length + " 个提示）" : ""));
      } else if (r.status === 400 && r.data.errors) {
        applyIssues(sent.ids, r.data);
        setState("invalid", "未保存：" + summary(r.data));
      } else if (r.status === 409) {
        showAlert((r.data.message || "该报表已被他人修改，您的修改未保存。") + " 请复制您的修改后刷新本页。");
        setState("conflict", "未保存：报表已被他人修改");
      } else {
        showAlert(r.data.message || ("保存失败（" + r.status + "）"));
        setState("error", "未保存");
      }
      buttons();
      countRows();
    }, function () {
      S.saving = false;
      buttons();
      setState("error", "无法连接服务器，未保存。");
    });
  }

  // --- paste of a block from Excel / WPS -------------------------------------------------------------
  // Tab-separated text as Excel writes it: a cell holding a tab, newline or quote is quoted ("…", "" inside).
  function parseTSV(text) {
    var rows = [], row = [], cell = "", i = 0, n = text.length, quoted = false, start = true;
    for (; i < n; i++) {
      var ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
        else if (ch === '"') { quoted = false; }
        else { cell += ch; }
      } else if (ch === '"' && start) { quoted = true; start = false; }
      else if (ch === "\t") { row.push(cell); cell = ""; start = true; }
      else if (ch === "\n" || ch === "\r") {
        if (ch === "\r" && text[i + 1] === "\n") { i++; }
        row.push(cell); rows.push(row); row = []; cell = ""; start = true;
      } else { cell += ch; start = false; }
    }
    if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
    return rows;
  }

  function anchor() {
    var ranges = S.table.getRanges ? S.table.getRanges() : [];
    var rows = S.table.getRows("active");
    var r = 0, c = 0;
    if (ranges.length) {
      var rr = ranges[ranges.length - 1].getRows(), cc = ranges[ranges.length - 1].getColumns();
      if (rr.length) { r = Math.max(0, rows.indexOf(rr[0])); }
      var field = cc.length ? cc[0].getField() : null;
      if (!field && cc.length > 1) { field = cc[1].getField(); }
      c = Math.max(0, S.keys.indexOf(field));
    }
    return { row: r, col: c, rows: rows };
  }

  // The block lands on a copy of the sheet, which replaces the table's data in one go (one render,
  // however many cells: cell-by-cell updates of a 1,000 × 30 block take seconds).
  function pasteBlock(block) {
    var at = anchor();
    var data = snapshot();
    while (data.length < at.row + block.length) { data.push(blankRow()); }
    block.forEach(function (cells, i) {
      var row = data[at.row + i];
      cells.forEach(function (v, j) { var k = S.keys[at.col + j]; if (k) { row[k] = v; } });
    });
    var skipped = block[0].length - (S.keys.length - at.col);
    S.suppress++;
    return S.table.replaceData(data).then(function () {
      S.suppress--;
      performance.mark("sheet-pasted");
      changed();
      if (skipped > 0) { showAlert("粘贴的内容比表格多 " + skipped + " 列，超出部分已忽略。"); }
    });
  }

  function onPaste(e) {
    if (!S.cfg || !S.cfg.can_edit || !e.clipboardData) { return; }
    var text = e.clipboardData.getData("text/plain");
    var editing = e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA");
    if (!text || (editing && !/[\t\n]/.test(text.replace(/\r?\n$/, "")))) { return; }  // one value into an editor
    e.preventDefault();
    e.stopImmediatePropagation();
    if (editing) { e.target.blur(); }
    var block = parseTSV(text);
    if (block.length) { pasteBlock(block); }
  }

  // --- keyboard: typing starts editing the active cell, Ctrl+Z / Ctrl+Y ------------------------------
  function activeCell() {
    var ranges = S.table.getRanges ? S.table.getRanges() : [];
    if (!ranges.length) { return null; }
    var cells = ranges[ranges.length - 1].getCells();
    var first = cells.length ? (Array.isArray(cells[0]) ? cells[0][0] : cells[0]) : null;
    return first && first.getField() ? first : null;
  }

  function onKey(e) {
    var editing = e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA");
    var mod = e.ctrlKey || e.metaKey;
    if (mod && !editing && (e.key === "z" || e.key === "Z")) {
      e.preventDefault();
      if (e.shiftKey) { restore(S.redo, S.undo); } else { restore(S.undo, S.redo); }
      return;
    }
    if (mod && !editing && (e.key === "y" || e.key === "Y")) { e.preventDefault(); restore(S.redo, S.undo); return; }
    // an input method (拼音, 五笔) takes the key first: keyCode 229 / "Process" — open the editor and let
    // the composition land in it, instead of typing the key itself
    var ime = e.isComposing || e.keyCode === 229 || e.key === "Process";
    if (editing || mod || e.altKey || (e.key.length !== 1 && !ime) || !S.cfg.can_edit) { return; }
    var cell = activeCell();
    if (!cell) { return; }
    if (!ime) { e.preventDefault(); }
    cell.edit(true);
    var input = cell.getElement().querySelector("input, textarea");
    if (!input) { return; }
    input.focus();
    input.value = ime ? "" : e.key;
    if (!ime) { input.dispatchEvent(new Event("input", { bubbles: true })); }
  }

  // --- actions -----------------------------------------------------------------------------------------
  function addRow() {
    var row = blankRow();
    S.suppress++;
    S.table.addRow(row).then(function (r) {
      S.suppress--;
      changed();
      r.scrollTo();
    });
  }

  function deleteRows() {
    var ranges = S.table.getRanges ? S.table.getRanges() : [];
    var ids = {};
    ranges.forEach(function (range) { range.getRows().forEach(function (r) { ids[r.getData()._id] = true; }); });
    var list = Object.keys(ids).map(Number);
    if (!list.length) { showAlert("请先选中要删除的行（点击行号，或选中其中的单元格）。"); return; }
    if (!window.confirm("确定删除选中的 " + list.length + " 行？保存前可以撤销。")) { return; }
    S.suppress++;
    S.table.deleteRow(list).then(function () { S.suppress--; changed(); });
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("[data-sheet-action]") : null;
    if (!b || !S.table) { return; }
    var action = b.getAttribute("data-sheet-action");
    if (action === "add") { addRow(); }
    else if (action === "delete") { deleteRows(); }
    else if (action === "undo") { restore(S.undo, S.redo); }
    else if (action === "redo") { restore(S.redo, S.undo); }
    else if (action === "save") { save(); }
  });

  window.addEventListener("beforeunload", function (e) {
    if (S.dirty) { e.preventDefault(); e.returnValue = ""; }
  });

  // --- building the grid ----------------------------------------------------------------------------------
  function formatter(cell) {
    var node = cell.getElement();
    var id = cell.getRow().getData()._id;
    var list = (S.issues[id] || {})[cell.getField()];
    var level = list ? (list.some(function (i) { return i.level === "error"; }) ? "error" : "warning") : null;
    node.classList.toggle("cell-error", level === "error");
    node.classList.toggle("cell-warning", level === "warning");
    if (list) {
      node.title = list.map(function (i) { return (i.level === "error" ? "错误：" : "提示：") + i.message; }).join("\n");
      node.setAttribute("aria-invalid", level === "error" ? "true" : "false");
    } else {
      node.removeAttribute("title");
      node.removeAttribute("aria-invalid");
    }
    var value = cell.getValue();
    return document.createTextNode(value == null ? "" : String(value));
  }

  function rowFormatter(row) {
    var issues = S.issues[row.getData()._id];
    var error = !!issues && Object.keys(issues).some(function (k) { return issues[k].some(function (i) { return i.level === "error"; }); });
    row.getElement().classList.toggle("row-has-error", error);
  }

  function titleOf(c) {
    return function () {
      var span = document.createElement("span");
      span.textContent = c.label;
      if (c.required) {
        var req = document.createElement("span");
        req.className = "req";
        req.textContent = "*";
        span.appendChild(req);
      }
      return span;
    };
  }

  function column(c, canEdit) {
    var def = {
      title: c.label, field: c.key, titleFormatter: titleOf(c), headerTooltip: c.help || c.label,
      width: Math.max(80, c.width * 9), formatter: formatter, cssClass: c.numeric ? "num" : "",
      editor: canEdit ? "input" : false,
    };
    if (canEdit && c.choices.length) {
      def.editor = "list";
      def.editorParams = { values: [""].concat(c.choices), autocomplete: true, freetext: true, listOnEmpty: true, allowEmpty: true };
    }
    return def;
  }

  function build(cfg) {
    S.cfg = cfg;
    S.lock = cfg.lock_version;
    S.keys = cfg.columns.map(function (c) { return c.key; });
    var rows = cfg.rows.map(withId);
    if (cfg.can_edit && !rows.length) { for (var i = 0; i < 20; i++) { rows.push(blankRow()); } }
    S.table = new Tabulator(el, {
      data: rows, index: "_id", height: Math.max(420, window.innerHeight - 300) + "px",
      renderVertical: "virtual", renderHorizontal: "virtual", layout: "fitData",
      rowHeader: { formatter: "rownum", headerSort: false, hozAlign: "center", resizable: false, frozen: true, width: 52 },
      columnDefaults: { headerSort: false, resizable: "header" },
      selectableRange: 1, selectableRangeColumns: true, selectableRangeRows: true, selectableRangeClearCells: cfg.can_edit,
      selectableRangeClearCellsValue: "", editTriggerEvent: "dblclick",
      clipboard: "copy", clipboardCopyRowRange: "range", clipboardCopyConfig: { columnHeaders: false, rowHeaders: false },
      rowFormatter: rowFormatter, placeholder: "暂无数据",
      columns: cfg.columns.map(function (c) { return column(c, cfg.can_edit); }),
    });
    S.table.on("tableBuilt", function () {
      S.last = snapshot();
      countRows();
      performance.mark("sheet-ready");
      setState("ready", cfg.can_edit ? "可以编辑" : "只读");
      if (cfg.can_edit && cfg.rows.length) { validate(); }
    });
    S.table.on("cellEdited", changed);  // typing, and Delete on a range (the other changes call changed() themselves)
    el.addEventListener("paste", onPaste, true);
    el.addEventListener("keydown", onKey, true);
  }

  setState("loading");
  fetch(el.getAttribute("data-sheet-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(build)
    .catch(function (err) { setState("error", "加载失败：" + err.message); });
}());
