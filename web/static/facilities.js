/* Existing-facility register: every filter (type, county, township, name) goes to
 * /api/facilities, so the table, the counts and the CSV/XLSX links always hold
 * the same rows; only the column sort is done here. The filters live in the
 * URL, which the language switch keeps. */
(function () {
  "use strict";
  var C = CP.C, T = CP.T, esc = CP.esc;
  var rows = [], sortKey = null, sortDir = 1, seq = 0, timer = null, towns = [];
  var FILTERS = ["type", "county", "township", "q"];

  function el(id) { return document.getElementById(id); }

  // The township list shows the chosen county's townships only; with no county
  // it shows all of them, each with its county (names repeat across counties).
  function fillTownships(keep) {
    var county = el("f-county").value, sel = el("f-township");
    var countyName = {};
    Array.prototype.forEach.call(el("f-county").options, function (o) { countyName[o.value] = o.textContent; });
    var list = towns.filter(function (t) { return !county || t.county === county; });
    if (!list.some(function (t) { return t.code === keep; })) keep = "";
    sel.innerHTML = "<option value=''>" + esc(T("all_option")) + "</option>" + list.map(function (t) {
      var label = county ? t.name : t.name + (C.lang === "en" ? " (" : "（") + (countyName[t.county] || t.county) + (C.lang === "en" ? ")" : "）");
      return "<option value='" + esc(t.code) + "'" + (t.code === keep ? " selected" : "") + ">" + esc(label) + "</option>";
    }).join("");
  }

  function query() {
    var q = new URLSearchParams();
    FILTERS.forEach(function (k) {
      var v = el("f-" + k).value.trim();
      if (v) q.set(k, v);
    });
    return q;
  }

  function withLang(q, lang) { var c = new URLSearchParams(q); c.set("lang", lang); return c; }

  function typeChips(data) {
    var chosen = el("f-type").value;
    el("type-counts").innerHTML = data.by_type.map(function (b) {
      return "<button type='button' class='fac-chip" + (b.type === chosen ? " on" : "") + (b.count ? "" : " zero") +
        "' data-type='" + esc(b.type) + "' data-count='" + b.count + "'>" + esc(b.name) + " <b>" + CP.fmt(b.count) + "</b></button>";
    }).join("");
  }

  // What the planner typed in the map popup (address, operator, phone, remark), one labelled line
  // each, only those given: most rows have none, so the column stays narrow.
  var DETAILS = ["address", "operator", "phone", "remark"];
  function details(r) {
    var sep = C.lang === "en" ? ": " : "：";
    // the type's capacity first (beds, day places ...), "unknown" where the register has none
    var cap = r.capacity_unit ? "<div class='fac-capacity'><span class='muted'>" + esc(T("fac_capacity")) + sep + "</span>" +
      (r.capacity == null ? "<span class='muted'>" + esc(T("fac_capacity_unknown")) + "</span>"
                          : esc(CP.fmt(r.capacity)) + (C.lang === "en" ? " " : "") + esc(r.capacity_unit)) +
      "</div>" : "";   // a sample row's figure is flagged with the row (示意 column)
    return cap + DETAILS.filter(function (k) { return r[k]; }).map(function (k) {
      return "<div><span class='muted'>" + esc(T("field_" + k)) + sep + "</span>" + esc(r[k]) + "</div>";
    }).join("");
  }

  function render() {
    var shown = rows.slice();
    if (sortKey) {
      shown.sort(function (a, b) {
        var x = a[sortKey], y = b[sortKey];
        if (x == null && y == null) return 0;
        if (x == null) return 1;
        if (y == null) return -1;
        return String(x).localeCompare(String(y), "zh-CN") * sortDir;
      });
    }
    var h = shown.map(function (r) {
      var link = r.map_url ? "<a class='to-map' href='" + esc(r.map_url) + "'>" + esc(T("fac_map_link")) + "</a>" : "–";
      return "<tr data-id='" + esc(r.id) + "' data-type='" + esc(r.facility_type) + "' data-county='" + esc(r.county_code) +
        "' data-township='" + esc(r.township_code) + "'>" +
        "<td class='small'>" + esc(r.id) + "</td><td>" + esc(r.name) + "</td><td>" + esc(r.type_name) + "</td>" +
        "<td>" + esc(r.township_name) + "</td><td>" + esc(r.county_name) + "</td>" +
        "<td class='small fac-details'>" + details(r) + "</td>" +
        "<td class='small muted'>" + esc(r.source) + "</td>" +
        "<td>" + (r.synthetic ? "<span class='badge-approx'>" + esc(T("illustrative")) + "</span>" : "") + "</td>" +
        "<td>" + link + "</td></tr>";
    }).join("");
    el("facilities").querySelector("tbody").innerHTML = h || "<tr><td colspan='9' class='muted'>" + esc(T("no_data")) + "</td></tr>";
  }

  function load() {
    var q = query(), my = ++seq;
    var other = C.lang === "en" ? "zh" : "en";
    el("export-csv").href = "/api/facilities.csv?" + withLang(q, C.lang);
    el("export-xlsx").href = "/api/facilities.xlsx?" + withLang(q, C.lang);
    history.replaceState(null, "", String(q) ? "?" + q : location.pathname);  // no bare "?" when nothing is filtered
    var sw = el("lang-switch");
    if (sw) sw.href = "?" + withLang(q, other);
    el("facilities").dataset.ready = "0";
    CP.json("/api/facilities?" + withLang(q, C.lang))
      .then(function (data) {
        if (my !== seq) return;  // a newer filter change already went out
        rows = data.rows;
        typeChips(data);
        render();
        el("row-count").textContent = T("fac_rows").replace("{n}", data.count).replace("{total}", data.register_total);
        el("facilities").dataset.rows = String(data.count);
        el("facilities").dataset.ready = "1";
      })
      .catch(function (e) {
        if (my !== seq) return;
        el("facilities").querySelector("tbody").innerHTML =
          "<tr><td colspan='9' class='error-box'>" + esc((e && e.message) || T("load_failed")) + "</td></tr>";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    towns = JSON.parse(el("township-list").textContent);
    fillTownships(el("f-township").dataset.selected || "");
    el("f-type").addEventListener("change", load);
    el("f-county").addEventListener("change", function () { fillTownships(el("f-township").value); load(); });
    el("f-township").addEventListener("change", function () {
      // picking a township with no county chosen narrows the county too
      var code = el("f-township").value;
      var town = towns.filter(function (t) { return t.code === code; })[0];
      if (town && el("f-county").value !== town.county) { el("f-county").value = town.county; fillTownships(code); }
      load();
    });
    el("f-q").addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(load, 250); });
    el("type-counts").addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-type]");
      if (!b) return;
      el("f-type").value = el("f-type").value === b.dataset.type ? "" : b.dataset.type;
      load();
    });
    document.querySelectorAll("#facilities th.sortable").forEach(function (th) {
      th.addEventListener("click", function () {
        var k = th.dataset.key;
        sortDir = (sortKey === k) ? -sortDir : 1; sortKey = k;
        document.querySelectorAll("#facilities th.sortable").forEach(function (o) { o.classList.remove("sort-asc", "sort-desc"); });
        th.classList.add(sortDir > 0 ? "sort-asc" : "sort-desc");
        render();
      });
    });
    load();
  });
})();
