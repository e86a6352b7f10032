/* Township checklist: server-side filters (type, county, status) through the API,
 * client-side text search and column sorting. */
(function () {
  "use strict";
  var C = CP.C, T = CP.T, esc = CP.esc;
  var rows = [], sortKey = "township_code", sortDir = 1, seq = 0;
  // capacity per township and type (/api/capacity/townships), fetched once: ratio and shortfall columns
  var capacity = null;
  // {type: {field, basis}}: what each type's capacity counts and per whom (the page's JSON block)
  var capUnits = {};
  // the capacity columns name their unit in the header when the rows are of one type, in each cell otherwise
  var mixedUnits = false;
  // {type: {township_code: [unknown, facilities]}}: townships where some facilities state no capacity (page JSON)
  var capUnknown = {};

  // one decimal always: 7.0 / 15, not the "7" that CP.fmt(…, 1) writes for 6.97
  function ratio1(v) {
    if (v == null || !isFinite(v)) return "–";
    return v.toLocaleString(C.lang === "en" ? "en-US" : "zh-CN", {minimumFractionDigits: 1, maximumFractionDigits: 1});
  }
  // "每千名60岁以上老人日托位" / "Day places per 1,000 people aged 60+"; and the shortfall's unit ("个日托位")
  function ratioUnit(type) {
    var u = capUnits[type];
    return u ? T("capw_per_1000_of").replace("{basis}", T("capw_basis_" + u.basis)).replace("{unit}", T("capw_noun_" + u.field)) : "";
  }
  function countUnit(type) { var u = capUnits[type]; return u ? T("capw_unit_" + u.field) : ""; }
  function withUnit(label, unit) { return unit ? label + (C.lang === "en" ? " (" + unit + ")" : "（" + unit + "）") : label; }

  function capHeaders(list) {
    var types = {};
    list.forEach(function (r) { if (r.cap_standard != null && r.cap_status !== "na") types[r.type] = 1; });
    var keys = Object.keys(types), one = keys.length === 1 ? keys[0] : null;
    mixedUnits = keys.length > 1;
    var ratio = document.querySelector("th[data-key='cap_ratio']"), short = document.querySelector("th[data-key='cap_shortfall']");
    ratio.dataset.label = ratio.dataset.label || ratio.textContent;
    short.dataset.label = short.dataset.label || short.textContent;
    ratio.textContent = one ? ratioUnit(one) + T("capw_standard_short").replace(/^\s*/, C.lang === "en" ? " " : "") : ratio.dataset.label;
    short.textContent = one ? withUnit(short.dataset.label, countUnit(one)) : short.dataset.label;
  }

  function withCapacity(list) {
    var types = (capacity && capacity.types) || {};
    list.forEach(function (r) {
      var c = (types[r.type] || {})[r.township_code];
      r.cap_ratio = c ? c.ratio_per_1000 : null;
      r.cap_standard = c ? c.standard_per_1000 : null;
      r.cap_shortfall = c ? c.shortfall : null;
      r.cap_status = c ? c.status : null;
      var u = (capUnknown[r.type] || {})[r.township_code];
      r.cap_unknown = u ? u[0] : 0;
      r.cap_unknown_of = u ? u[1] : 0;
      // none of its facilities states a capacity: no ratio or shortfall to compare (sorted with the empty ones)
      if (u && u[0] >= u[1]) { r.cap_ratio = null; r.cap_shortfall = null; }
    });
    return list;
  }

  function capCells(r) {
    if (r.cap_standard == null) return "<td class='num muted'>" + T("cap_no_capacity") + "</td><td class='num muted'>" + T("cap_no_capacity") + "</td>";
    // nothing to compare here (no demand, or a type compared per county): no shortfall either
    if (r.cap_status === "na") {
      var na = "<td class='num muted cap-na' title='" + esc(T("cap_na_title")) + "'>" + T("status_na") + "</td>";
      return na + na;
    }
    // its facilities state no capacity: a ratio and shortfall computed from 0 would be read as figures (QA 27)
    if (r.cap_unknown && r.cap_unknown >= r.cap_unknown_of) {
      var unk = "<td class='num muted cap-unknown' title='" + esc(T("cap_lower_bound_title").replace("{n}", r.cap_unknown).replace("{total}", r.cap_unknown_of)) + "'>" +
                esc(T("cap_unknown_cell").replace("{n}", r.cap_unknown)) + "</td>";
      return unk + unk;
    }
    // some of them state none: the ratio is a lower bound and the shortfall an upper one
    var part = r.cap_unknown > 0, bound = part ? " title='" + esc(T("cap_lower_bound_title").replace("{n}", r.cap_unknown).replace("{total}", r.cap_unknown_of)) + "'" : "";
    var mark = part ? "<div class='small muted cap-bound'>" + esc(T("cap_lower_bound_mark").replace("{n}", r.cap_unknown).trim()) + "</div>" : "";
    var ratio = (part ? "≥ " : "") + ratio1(r.cap_ratio);
    return "<td class='num cap-" + esc(r.cap_status) + (part ? " cap-partial" : "") + "'" + bound + ">" + ratio + " <span class='small muted'>/ " + CP.fmt(r.cap_standard, 1) + "</span>" +
           (mixedUnits ? "<div class='small muted cap-unit'>" + esc(ratioUnit(r.type)) + "</div>" : "") + mark + "</td>" +
           "<td class='num'" + bound + ">" + (r.cap_shortfall > 0 ? (part ? "≤ " : "") + CP.fmt(Math.ceil(r.cap_shortfall)) : "0") +
           (mixedUnits ? " <span class='small muted cap-unit'>" + esc(countUnit(r.type)) + "</span>" : "") + "</td>";
  }

  function query() {
    var q = new URLSearchParams();
    ["type", "county", "status"].forEach(function (k) {
      var v = document.getElementById("f-" + k).value;
      if (v || k === "type") q.set(k, v);  // an explicit empty type means "all types"
    });
    q.set("lang", C.lang);
    return q;
  }

  // the exports hold what is shown: the search text goes with the filters
  function exportLinks() {
    var q = query(), text = document.getElementById("f-text").value.trim();
    if (text) q.set("q", text);
    document.getElementById("export-csv").href = "/api/townships.csv?" + q;
    document.getElementById("export-xlsx").href = "/api/townships.xlsx?" + q;
    // the address (and so the language switch) keeps the search text with the filters
    q.delete("lang");
    history.replaceState(null, "", String(q) ? "?" + q : location.pathname);  // no bare "?" when nothing is filtered
    CP.syncLangLink();
  }

  function render() {
    var text = document.getElementById("f-text").value.trim().toLowerCase();
    var shown = rows.filter(function (r) {
      return !text || (r.township_name + " " + r.township_code + " " + r.county_name).toLowerCase().indexOf(text) >= 0;
    });
    shown.sort(function (a, b) {
      var x = a[sortKey], y = b[sortKey];
      if (x == null && y == null) return 0;
      if (x == null) return 1;
      if (y == null) return -1;
      return (typeof x === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN")) * sortDir;
    });
    var h = shown.map(function (r) {
      var share = r.covered_share == null ? "–" : (100 * r.covered_share).toFixed(1) + "%";
      return "<tr data-code='" + esc(r.township_code) + "' data-status='" + esc(r.status) + "' data-county='" + esc(r.county_code) + "'>" +
        "<td>" + esc(r.township_code) + "</td><td>" + esc(r.township_name) + "</td><td>" + esc(r.county_name) + "</td>" +
        "<td>" + esc(r.type_name) + "</td><td><span class='st st-" + esc(r.status) + "'>" + T("status_" + r.status) + "</span></td>" +
        "<td class='num'>" + esc(r.facilities) + "</td><td class='num'>" + share + "</td>" + capCells(r) +
        "<td class='small'>" + esc(r.reason) + "</td>" +
        "<td><a class='to-map' href='/map/" + encodeURIComponent(r.type) + "?township=" + encodeURIComponent(r.township_code) + "'>" + T("zoom_to") + "</a></td></tr>";
    }).join("");
    document.querySelector("#checklist tbody").innerHTML = h || "<tr><td colspan='11' class='muted'>" + T("no_data") + "</td></tr>";
    exportLinks();
    document.getElementById("row-count").textContent = T(rows.length === 1 ? "rows_shown1" : "rows_shown").replace("{n}", shown.length).replace("{total}", rows.length);
    document.getElementById("checklist").dataset.rows = String(shown.length);
  }

  function load() {
    var q = query(), my = ++seq;
    exportLinks();  // also the address: the language switch must keep these filters
    document.getElementById("checklist").dataset.ready = "0";
    var caps = capacity ? Promise.resolve(capacity) : CP.json("/api/capacity/townships").catch(function () { return null; });
    Promise.all([CP.json("/api/townships?" + q), caps])
      .then(function (got) {
        var data = got[0];
        capacity = got[1];
        if (my !== seq) return;  // a newer filter change already went out
        rows = withCapacity(data); capHeaders(rows); render();
        document.getElementById("checklist").dataset.ready = "1";
      })
      .catch(function (e) {
        document.querySelector("#checklist tbody").innerHTML = "<tr><td colspan='11' class='error-box'>" + esc(e.message || T("load_failed")) + "</td></tr>";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var units = document.getElementById("cap-units");
    capUnits = units ? JSON.parse(units.textContent) : {};
    var unknown = document.getElementById("cap-unknown");
    capUnknown = unknown ? JSON.parse(unknown.textContent) : {};
    ["type", "county", "status"].forEach(function (k) { document.getElementById("f-" + k).addEventListener("change", load); });
    document.getElementById("f-text").addEventListener("input", render);
    document.querySelectorAll("th.sortable").forEach(function (th) {
      if (th.dataset.key === sortKey) th.classList.add("sort-asc");  // the initial order is visible
      th.addEventListener("click", function () {
        var k = th.dataset.key;
        sortDir = (sortKey === k) ? -sortDir : 1; sortKey = k;
        document.querySelectorAll("th.sortable").forEach(function (o) { o.classList.remove("sort-asc", "sort-desc"); });
        th.classList.add(sortDir > 0 ? "sort-asc" : "sort-desc");
        render();
      });
    });
    load();
  });
})();
