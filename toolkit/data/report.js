// The error list and document view of `toolkit report`: plain JavaScript, no framework, no
// network. It reads the JSON in #report-data (see toolkit/report.py, page_data):
//   kinds:   [key, label, what it is]          systems: [name]
//   docs:    [doc_id, length, [[offset, text], ...]]   (offsets in code points, as in Python)
//   errors:  [kind, system, doc, gold start, gold end, pred start, pred end, tag, detail]  (-1: no span)
//   correct: [system, doc, layer, start, end, start, end, ...]  (spans predicted right; layer 0 actor, 1 claim)
// Rows and documents are rendered a page at a time; a document's text only when it is opened.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var KINDS = D.kinds, SYS = D.systems, DOCS = D.docs;
  var PAGE_ROWS = 200, PAGE_DOCS = 50;
  var ERR = D.errors.map(function (r, i) {
    return {i: i, k: r[0], s: r[1], d: r[2], gs: r[3], ge: r[4], ps: r[5], pe: r[6], tag: r[7], detail: r[8],
            layer: KINDS[r[0]][0].indexOf("claim") === 0 ? 1 : KINDS[r[0]][0].indexOf("actor") === 0 ? 0 : -1};
  });
  var byDoc = DOCS.map(function () { return []; });
  ERR.forEach(function (e) { byDoc[e.d].push(e); });
  var okByDoc = DOCS.map(function () { return []; });
  D.correct.forEach(function (c) {
    for (var j = 3; j + 1 < c.length; j += 2) okByDoc[c[1]].push({s: c[0], layer: c[2], a: c[j], b: c[j + 1]});
  });

  var state = {kinds: KINDS.map(function () { return true; }), sys: -1, q: "", sort: "errors", dir: 1,
               rows: PAGE_ROWS, docs: PAGE_DOCS, current: -1};
  var view = {visible: [], docCount: [], docOrder: [], rendered: {}, open: {}};

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function $(id) { return document.getElementById(id); }
  function n(x) { return x.toLocaleString("en"); }
  function tag(k, text, i) {
    return "<span class=\"tag k-" + KINDS[k][0] + "\"" + (i === undefined ? "" : " data-e=\"" + i + "\"") + ">" +
      esc(text) + "</span>";
  }
  function where(e) {
    if (e.gs < 0 && e.ps < 0) return e.layer < 0 ? "document" : "not placed in the text";
    var out = [];
    if (e.gs >= 0) out.push("gold [" + e.gs + ", " + e.ge + ")");
    if (e.ps >= 0 && (e.ps !== e.gs || e.pe !== e.ge)) out.push("predicted [" + e.ps + ", " + e.pe + ")");
    return out.join(" · ");
  }
  function start(e) { return e.gs >= 0 ? e.gs : e.ps >= 0 ? e.ps : -1; }

  // --- filters, counts, order -----------------------------------------------------------
  function baseMatch(e) {
    return (state.sys < 0 || e.s === state.sys) &&
      (!state.q || DOCS[e.d][0].toLowerCase().indexOf(state.q) >= 0);
  }
  function compute() {
    var counts = KINDS.map(function () { return 0; });
    var docCount = DOCS.map(function () { return 0; });
    var visible = [];
    ERR.forEach(function (e) {
      if (!baseMatch(e)) return;
      counts[e.k]++;
      if (!state.kinds[e.k]) return;
      visible.push(e);
      docCount[e.d]++;
    });
    var docOrder = [];
    docCount.forEach(function (c, d) { if (c) docOrder.push(d); });
    docOrder.sort(function (a, b) { return docCount[b] - docCount[a] || a - b; });
    var rank = {};
    docOrder.forEach(function (d, r) { rank[d] = r; });
    var keys = {
      errors: function (e) { return [rank[e.d], start(e), e.k, e.s]; },
      doc: function (e) { return [DOCS[e.d][0], start(e), e.k, e.s]; },
      kind: function (e) { return [e.k, rank[e.d], start(e), e.s]; },
      system: function (e) { return [e.s, rank[e.d], start(e), e.k]; }
    }[state.sort];
    var dir = state.dir;
    visible.forEach(function (e) { e.key = keys(e); });
    visible.sort(function (a, b) {
      for (var j = 0; j < a.key.length; j++) {
        if (a.key[j] < b.key[j]) return -dir;
        if (a.key[j] > b.key[j]) return dir;
      }
      return a.i - b.i;
    });
    view.visible = visible; view.docCount = docCount; view.docOrder = docOrder; view.counts = counts;
  }

  // --- the error list -------------------------------------------------------------------
  function buildControls() {
    var kinds = KINDS.map(function (k, i) {
      return "<label class=\"kind\"><input type=\"checkbox\" data-kind=\"" + i + "\" checked> " + tag(i, k[1]) +
        " <span class=\"count\" data-count=\"" + i + "\" data-kind-key=\"" + esc(k[0]) + "\">0</span></label>";
    }).join("");
    var systems = "<option value=\"-1\">all systems</option>" + SYS.map(function (s, i) {
      return "<option value=\"" + i + "\">" + esc(s) + "</option>";
    }).join("");
    $("error-app").innerHTML =
      "<div class=\"filters\">" +
      "<fieldset id=\"kind-filter\"><legend>Kinds of error (count under the system and document filters)</legend>" + kinds +
      " <button type=\"button\" id=\"kinds-all\">all</button> <button type=\"button\" id=\"kinds-none\">none</button></fieldset>" +
      "<label>System <select id=\"system-filter\">" + systems + "</select></label>" +
      "<label>Document <input id=\"doc-filter\" type=\"search\" placeholder=\"doc id contains\"></label>" +
      "<label>Sort by <select id=\"sort-by\"><option value=\"errors\">documents with most errors first</option>" +
      "<option value=\"doc\">document id</option><option value=\"kind\">kind</option>" +
      "<option value=\"system\">system</option></select></label></div>" +
      "<p id=\"error-status\" aria-live=\"polite\"></p>" +
      "<table id=\"error-table\"><thead><tr>" +
      "<th><button type=\"button\" data-sort=\"doc\">document</button></th>" +
      "<th><button type=\"button\" data-sort=\"system\">system</button></th>" +
      "<th><button type=\"button\" data-sort=\"kind\">kind</button></th>" +
      "<th>where</th><th>what</th></tr></thead><tbody></tbody></table>" +
      "<button type=\"button\" class=\"more\" id=\"more-rows\">show more errors</button>";
    $("doc-app").innerHTML =
      "<p class=\"legend\"><span>Actors: background colour</span><span>claims: underline</span>" +
      "<span><span class=\"a-ok\">green</span> / <span class=\"c-ok\">green underline</span>: predicted right</span>" +
      "<span>every error also has a text label in front of it</span></p>" +
      "<p id=\"doc-status\" aria-live=\"polite\"></p><div id=\"doc-list\"></div>" +
      "<button type=\"button\" class=\"more\" id=\"more-docs\">show more documents</button>";

    $("kind-filter").addEventListener("change", function (ev) {
      var k = ev.target.getAttribute("data-kind");
      if (k !== null) { state.kinds[+k] = ev.target.checked; refresh(); }
    });
    function setAll(on) {
      state.kinds = KINDS.map(function () { return on; });
      document.querySelectorAll("#kind-filter input").forEach(function (box) { box.checked = on; });
      refresh();
    }
    $("kinds-all").onclick = function () { setAll(true); };
    $("kinds-none").onclick = function () { setAll(false); };
    $("system-filter").onchange = function () { state.sys = +this.value; view.rendered = {}; refresh(); };
    $("doc-filter").oninput = function () { state.q = this.value.trim().toLowerCase(); refresh(); };
    $("sort-by").onchange = function () { state.sort = this.value; state.dir = 1; refresh(); };
    document.querySelectorAll("#error-table th button").forEach(function (b) {
      b.onclick = function () {
        var key = b.getAttribute("data-sort");
        state.dir = state.sort === key ? -state.dir : 1;
        state.sort = key;
        $("sort-by").value = key;
        refresh();
      };
    });
    $("more-rows").onclick = function () { state.rows += PAGE_ROWS; renderRows(); };
    $("more-docs").onclick = function () { state.docs += PAGE_DOCS; renderDocs(); };
    $("error-table").addEventListener("click", function (ev) {
      var tr = ev.target.closest("tr[data-e]");
      if (tr && !ev.target.closest("a")) go(+tr.getAttribute("data-e"));
    });
  }

  function renderCounts() {
    document.querySelectorAll("#kind-filter .count").forEach(function (el) {
      el.textContent = n(view.counts[+el.getAttribute("data-count")]);
    });
  }
  function renderRows() {
    var rows = view.visible.slice(0, state.rows).map(function (e) {
      return "<tr data-e=\"" + e.i + "\" data-kind=\"" + KINDS[e.k][0] + "\"" + (e.i === state.current ? " class=\"current\"" : "") +
        "><td><a href=\"#e-" + e.i + "\">" + esc(DOCS[e.d][0]) + "</a></td><td>" + esc(SYS[e.s]) + "</td><td>" +
        tag(e.k, KINDS[e.k][1]) + "</td><td>" + esc(where(e)) + "</td><td>" + esc(e.detail) + "</td></tr>";
    });
    document.querySelector("#error-table tbody").innerHTML = rows.join("");
    var total = view.counts.reduce(function (a, b) { return a + b; }, 0);
    $("error-status").textContent = "Showing " + n(rows.length) + " of " + n(view.visible.length) +
      " errors of the kinds ticked (" + n(total) + " under the system and document filters, " + n(ERR.length) + " in all).";
    $("more-rows").hidden = rows.length >= view.visible.length;
  }

  // --- the document view ----------------------------------------------------------------
  function docSummary(d) {
    var per = {};
    byDoc[d].forEach(function (e) {
      if (state.kinds[e.k] && baseMatch(e)) per[e.k] = (per[e.k] || 0) + 1;
    });
    var parts = Object.keys(per).map(Number).sort(function (a, b) { return a - b; }).map(function (k) {
      return tag(k, KINDS[k][1] + " ×" + per[k]);
    });
    var c = view.docCount[d];
    return "<b>" + esc(DOCS[d][0]) + "</b> — " + n(c) + " error" + (c === 1 ? "" : "s") + " " + parts.join("");
  }
  function renderDocs() {
    var shown = view.docOrder.slice(0, state.docs);
    $("doc-list").innerHTML = shown.map(function (d) {
      return "<details class=\"doc\" id=\"doc-" + d + "\" data-d=\"" + d + "\"" + (view.open[d] ? " open" : "") +
        "><summary>" + docSummary(d) + "</summary><div class=\"body\"></div></details>";
    }).join("");
    view.rendered = {};
    shown.forEach(function (d) { if (view.open[d]) renderBody(d); });
    $("doc-status").textContent = n(view.docOrder.length) + " documents with errors under the filters, most errors first" +
      (shown.length < view.docOrder.length ? "; showing the first " + n(shown.length) + "." : ".");
    $("more-docs").hidden = shown.length >= view.docOrder.length;
  }
  function textHtml(d, s) {
    var marks = [];
    byDoc[d].forEach(function (e) {
      if (e.s !== s || e.layer < 0) return;
      if (e.gs >= 0) marks.push({a: e.gs, b: e.ge, k: e.k, i: e.i, layer: e.layer, tag: e.tag});
      if (e.ps >= 0 && (e.gs < 0 || KINDS[e.k][0] === "actor-boundary") && (e.ps !== e.gs || e.pe !== e.ge))
        marks.push({a: e.ps, b: e.pe, k: e.k, i: e.i, layer: e.layer, tag: e.tag + (e.gs >= 0 ? " (predicted)" : "")});
    });
    okByDoc[d].forEach(function (c) {
      if (c.s === s) marks.push({a: c.a, b: c.b, k: 1000, i: -1, layer: c.layer});
    });
    var out = [], prev = 0, doc = DOCS[d];
    doc[2].forEach(function (piece) {
      var off = piece[0], cps = Array.from(piece[1]), end = off + cps.length;
      if (off > prev) out.push("<span class=\"gap\">[… " + n(off - prev) + " characters not shown …]</span>");
      var cuts = {}, first = true;
      cuts[off] = cuts[end] = true;
      marks.forEach(function (m) {
        if (m.a > off && m.a < end) cuts[m.a] = true;
        if (m.b > off && m.b < end) cuts[m.b] = true;
      });
      var points = Object.keys(cuts).map(Number).sort(function (a, b) { return a - b; });
      for (var j = 0; j + 1 < points.length; j++) {
        var x = points[j], y = points[j + 1];
        marks.forEach(function (m) {  // a label in front of each error (at the window's start if it began before)
          if (m.i >= 0 && (m.a === x || (first && m.a < x && m.b > x))) out.push(tag(m.k, m.tag, m.i));
        });
        first = false;
        var best = [null, null], ids = [];
        marks.forEach(function (m) {
          if (m.a <= x && y <= m.b) {
            if (!best[m.layer] || m.k < best[m.layer].k) best[m.layer] = m;
            if (m.i >= 0) ids.push(m.i);
          }
        });
        var chunk = esc(cps.slice(x - off, y - off).join(""));
        var cls = [];
        if (best[0]) cls.push("a-" + (best[0].i < 0 ? "ok" : KINDS[best[0].k][0]));
        if (best[1]) cls.push("c-" + (best[1].i < 0 ? "ok" : KINDS[best[1].k][0]));
        out.push(cls.length ? "<span class=\"seg " + cls.join(" ") + "\"" + (ids.length ? " data-e=\"" + ids.join(" ") + "\"" : "") +
          ">" + chunk + "</span>" : chunk);
      }
      prev = end;
    });
    if (prev < doc[1]) out.push("<span class=\"gap\">[… " + n(doc[1] - prev) + " characters not shown …]</span>");
    return out.join("");
  }
  function renderBody(d) {
    var el = $("doc-" + d);
    if (!el || view.rendered[d]) return;
    var parts = [];
    SYS.forEach(function (name, s) {
      if (state.sys >= 0 && s !== state.sys) return;
      var mine = byDoc[d].filter(function (e) { return e.s === s; });
      if (!mine.length) return;
      var stance = mine.filter(function (e) { return e.layer < 0; });
      parts.push("<section class=\"sys\" data-s=\"" + s + "\"><h4>" + esc(name) + ": " + n(mine.length) + " error" +
        (mine.length === 1 ? "" : "s") + "</h4>" +
        (stance.length ? "<ul class=\"docstance\">" + stance.map(function (e) {
          return "<li data-e=\"" + e.i + "\">" + tag(e.k, KINDS[e.k][1], e.i) + " " + esc(e.detail) + "</li>";
        }).join("") + "</ul>" : "") +
        "<div class=\"text\">" + textHtml(d, s) + "</div><ol class=\"doc-errors\">" + mine.map(function (e) {
          return "<li data-e=\"" + e.i + "\"><a href=\"#e-" + e.i + "\">" + tag(e.k, KINDS[e.k][1]) + " " + esc(e.detail) +
            "</a></li>";
        }).join("") + "</ol></section>");
    });
    el.querySelector(".body").innerHTML = parts.join("");
    view.rendered[d] = true;
  }
  function onToggle(ev) {
    var el = ev.target;
    if (!el.matches || !el.matches("details.doc")) return;
    var d = +el.getAttribute("data-d");
    view.open[d] = el.open;
    if (el.open) renderBody(d);
  }

  // --- going from an error to its place -------------------------------------------------
  function showError(i) {
    var e = ERR[i];
    if (!e) return;
    state.current = i;
    var rank = view.docOrder.indexOf(e.d);
    if (rank < 0 || (state.sys >= 0 && state.sys !== e.s)) {  // filtered out: show everything again
      state.kinds = KINDS.map(function () { return true; });
      document.querySelectorAll("#kind-filter input").forEach(function (box) { box.checked = true; });
      state.sys = -1; state.q = "";
      $("system-filter").value = "-1"; $("doc-filter").value = "";
      refresh();
      rank = view.docOrder.indexOf(e.d);
    }
    if (rank >= state.docs) { state.docs = rank + 1; renderDocs(); }
    var el = $("doc-" + e.d);
    view.open[e.d] = true;
    el.open = true;
    renderBody(e.d);
    document.querySelectorAll(".current").forEach(function (x) { x.classList.remove("current"); });
    var hits = [];
    el.querySelectorAll(".seg[data-e], .tag[data-e], ul.docstance li[data-e]").forEach(function (x) {
      if (x.getAttribute("data-e").split(" ").indexOf(String(i)) >= 0) hits.push(x);
    });
    hits.forEach(function (x) { x.classList.add("current"); });
    var row = document.querySelector("#error-table tr[data-e=\"" + i + "\"]");
    if (row) row.classList.add("current");
    (hits[0] || el).scrollIntoView({block: "center"});
  }
  function go(i) {  // an error's link: remember it in the address (a link to share), then show it
    var h = "#e-" + i;
    if (location.hash !== h) history.pushState(null, "", h);
    showError(i);
  }
  function onHash() {
    var m = /^#e-(\d+)$/.exec(location.hash);
    if (m) showError(+m[1]);
  }

  function refresh() {
    state.rows = PAGE_ROWS;
    state.docs = PAGE_DOCS;
    compute();
    renderCounts();
    renderRows();
    renderDocs();
  }

  buildControls();
  document.addEventListener("toggle", onToggle, true);
  window.addEventListener("hashchange", onHash);
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[href^=\"#e-\"]");
    if (!a) return;
    ev.preventDefault();
    go(+a.getAttribute("href").slice(3));
  });
  refresh();
  onHash();
})();
