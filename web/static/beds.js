/* The overview's bed-target breakdown (work plan §八): a city-wide number of new beds given out over
 * the townships by /api/beds (planner.beds), shown by county with the notes that say what is assumed. */
(function () {
  "use strict";
  var C = CP.C, T = CP.T, esc = CP.esc, fmt = CP.fmt;
  var $ = function (id) { return document.getElementById(id); };

  // the shared rule (common.js): a share short of full never reads "100.0%", nor one above nothing "0.0%" (QA 36)
  var pct = CP.pct;
  // a figure in whole beds: the API's `<key>_whole` where it gives one (planner.beds.whole_beds: the city's figure
  // rounded, split by largest remainder over the counties and their townships, so the rows add up to the total
  // row; each rounded alone, the counties' shortfalls summed to 16,836 under the city's 16,837: QA 32)
  function whole(r, key) {
    var w = r[key + "_whole"];
    return w != null ? +w : Math.round(+r[key] || 0);
  }

  function render(d) {
    var en = C.lang === "en";
    // one county's own target: its townships, its totals (planner.beds.allocate_beds with a county)
    var county = d.county ? (en ? d.county.name_en || d.county.name : d.county.name) : null;
    // beds the target leaves over (every gap closed): said in the summary line itself, "2,139 / 7,136 (4,997 not
    // allocated)", not only in the last note under the table, a screen further down on a phone (QA 28)
    var left = +d.not_allocated || 0;
    var key = (county ? "bt_summary_county" : "bt_summary") + (left > 0 ? "_left" : d.allocated === 1 ? "_one" : "");
    $("bt-status").textContent = T(key).replace("{county}", county || "").replace("{allocated}", fmt(d.allocated))
      .replace("{target}", fmt(d.target)).replace("{left}", fmt(left))
      .replace("{before}", pct(d.max_shortfall_ratio_before)).replace("{after}", pct(d.max_shortfall_ratio_after))
      .replace("{supply}", fmt(whole(d.citywide, "supply"))).replace("{after_beds}", fmt(whole(d.citywide, "after")))
      .replace("{required}", fmt(whole(d.citywide, "required")))  // why left over: also in the notes
      // beds enough in the sum may leave townships short (one's spare beds do not fill another's gap): said, or
      // "1,794 → 3,466, 3,466 needed" read as met beside 462 still short in the total row (QA 32)
      + (whole(d.citywide, "shortfall_after") > 0
         ? " " + T("bt_still_short").replace("{n}", fmt(whole(d.citywide, "shortfall_after"))) : "");
    // on a phone the shortfall before, the beds given and the shortfall after (QA 18: the beds given ran
    // off a 390 px screen behind four other columns); the rest on a wider screen
    var cols = [["cap_beds_needed", "required", 1], ["cap_beds_now", "supply", 1], ["bt_col_before", "shortfall"], ["bt_col_allocated", "allocated"],
                ["bt_col_enlarge", "enlarge_existing", 1], ["bt_col_new", "new_beds", 1], ["bt_col_sites", "new_sites", 1],
                ["bt_col_place", "beds_to_place", 1], ["bt_col_after", "shortfall_after"]];
    var cls = function (c) { return "num" + (c[2] ? " phone-hide" : ""); };
    var rows = county ? d.by_township : d.by_county;
    // the total row is the city's (or the county's) whole figure the summary line says, and the rows, split from
    // it, add up to it exactly (QA 23: a county's rounded townships summed to 3,463 beside its 3,466; QA 32)
    var h = "<div class='table-wrap'><table class='data' id='bt-table'" + (county ? " data-county='" + esc(d.county.code) + "'" : "") +
      "><thead><tr><th>" + esc(T(county ? "township" : "county")) + "</th>" +
      cols.map(function (c) { return "<th class='" + cls(c) + "'>" + esc(T(c[0])) + "</th>"; }).join("") + "</tr></thead><tbody>";
    // a county's breakdown by its townships: one county row would only repeat the summary
    rows.forEach(function (r) {
      h += "<tr data-county='" + esc(r.county_code) + "'" + (county ? " data-township='" + esc(r.township_code) + "'" : "") + "><td>" +
        esc(county ? r.township_name : (en ? r.county_name_en : r.county_name)) + "</td>" +
        cols.map(function (c) { return "<td class='" + cls(c) + "'>" + fmt(whole(r, c[1])) + "</td>"; }).join("") + "</tr>";
    });
    h += "<tr class='total'><td><b>" + esc(county ? T("bt_county_total").replace("{county}", county) : T("cap_citywide")) +
      "</b></td>" + cols.map(function (c) {
      return "<td class='" + cls(c) + "'><b>" + fmt(whole(d.citywide, c[1])) + "</b></td>";
    }).join("") + "</tr></tbody></table></div>";
    h += "<p class='small muted phone-only'>" + esc(T("bt_phone_cols")) + "</p>";
    // why the townships' gaps added up are more than the netted gap is one of the notes, with both figures (QA 33)
    h += "<p class='small muted'>" + esc(T("qa32fd_whole_note")) + "</p>";
    h += (en ? d.notes_en : d.notes_zh).map(function (n) { return "<p class='small muted'>" + esc(n) + "</p>"; }).join("");
    $("bt-result").innerHTML = h;
  }

  function run() {
    var target = $("bt-target").value.trim(), county = $("bt-county") ? $("bt-county").value : "";

    $("bt-run").disabled = true;
    $("bt-status").textContent = T("bt_running");
    $("bt-result").innerHTML = "";
    $("beds-target-card").dataset.ready = "";
    CP.json("/api/beds?lang=" + C.lang + "&target=" + encodeURIComponent(target) +
            (county ? "&county=" + encodeURIComponent(county) : "")).then(function (d) {
      render(d);
      $("beds-target-card").dataset.ready = "1";
    }).catch(function (e) {
      $("bt-status").textContent = (e && (e.message || e.error)) || T("load_failed");
      $("beds-target-card").dataset.ready = "error";
    }).then(function () { $("bt-run").disabled = false; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = $("bt-form");
    if (form) form.addEventListener("submit", run);
    // 0, 500.5, 2000000, nothing: said in the page's words (the browser said them in its own, QA 26)
    CP.watchNumber($("bt-target"), $("bt-run"));
    // the number means the county's own beds once a county is chosen: said, and the last answer cleared
    if ($("bt-county")) $("bt-county").addEventListener("change", function () {
      $("bt-county-hint").hidden = !$("bt-county").value;
      $("bt-result").innerHTML = ""; $("bt-status").textContent = "";
    });
    // a number the field refuses (0, -5, 1.5): the field says why, and the last answer must not stay
    // beside it as if it were this one's
    if ($("bt-target")) $("bt-target").addEventListener("invalid", function () {
      $("bt-result").innerHTML = ""; $("bt-status").textContent = "";
    });
  });
})();
