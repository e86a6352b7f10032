/* Overview: plan targets and citywide coverage per type, from the API. */
(function () {
  "use strict";
  var T = CP.T, esc = CP.esc, fmt = CP.fmt, pct = CP.pct, getJSON = CP.json;
  function failed(el, err) {
    el.innerHTML = "<p class='muted'>" + esc((err && err.message) || T("load_failed")) + "</p>";
  }
  function bar(share) {
    var s = share == null ? 0 : Math.max(0, Math.min(1, share));
    return "<div class='bar " + (s >= window.COVERPLAN.palette.full ? "ok" : s < 0.5 ? "low" : "") + "'><i style='width:" + (100 * s).toFixed(1) + "%'></i></div>";
  }
  // "Community/village day-care centre": a line may break after the slash (a phone's narrow column)
  function slashBreak(s) { return esc(s).replace(/\//g, "/<wbr>"); }
  // 示意 on a row that rests on synthetic or approximate data, as the plan page marks its rows
  function badge(on) { return on ? " <span class='badge-approx'>" + esc(T("illustrative")) + "</span>" : ""; }
  // /api/coverage gives no synthetic_inputs per row (yet): every type is counted on the village points and
  // township shapes and against its register, so while any of those is still the sample (the header's list,
  // base.html) so is the row
  var ill = window.COVERPLAN.illustrative || [];
  var dataIllustrative = ["townships", "villages", "facilities"].some(function (l) { return ill.indexOf(l) >= 0; });
  document.addEventListener("DOMContentLoaded", function () {
    var tEl = document.getElementById("targets"), cEl = document.getElementById("coverage-table"),
        chart = document.getElementById("county-chart");
    getJSON("/api/targets").then(function (rows) {
      var h = "<table class='data' id='targets-table'><thead><tr><th class='phone-hide'>" + T("cap_section") + "</th><th>" + T("facility_type") + "</th><th>" + T("target") +
              "</th><th class='num'>" + T("current") + "</th><th>" + T("progress") + "</th></tr></thead><tbody>";
      rows.forEach(function (r) {
        h += "<tr data-key='" + esc(r.key) + "'><td class='nowrap small phone-hide'>" + esc(r.section_text || r.section) + "</td><td class='type-cell' data-section='" + esc(r.section_text || r.section) + "'>" +
             slashBreak(r.type_name) + "</td><td>" + slashBreak(r.text) + badge(r.synthetic_inputs) + "</td><td class='num'>" + esc(r.current_text) +
             "</td><td>" + bar(r.progress) + "<span class='small " + (r.met ? "good" : "muted") + "'>" +
             (r.met ? T("status_met") : pct(r.progress)) + "</span></td></tr>";
      });
      tEl.innerHTML = h + "</tbody></table>";
    }).catch(function (e) { failed(tEl, e); });
    // beds per 1,000 aged 60+ by county against the standard (40), under the targets
    var bEl = document.createElement("div");
    bEl.id = "beds-by-county";
    bEl.className = "beds-by-county";
    tEl.parentNode.insertBefore(bEl, tEl.nextSibling);
    getJSON("/api/capacity").then(function (b) {
      // Whole beds on screen as the API and CLI give them (planner.capacity.whole_units: citywide rounded to the
      // nearest bed, split over the counties by largest remainder), so the counties add up to the citywide row
      // and every figure is the one `coverplan capacity --beds` prints.
      var whole = function (r) {
        return {have: r.supply_whole, need: r.required_whole, short: r.shortfall_whole};
      };
      var one = function (v) {  // per 1,000 always with one decimal ("3.0", not "3")
        if (v == null || !isFinite(v)) return "–";
        return v.toLocaleString(window.COVERPLAN.lang === "en" ? "en-US" : "zh-CN", {minimumFractionDigits: 1, maximumFractionDigits: 1});
      };
      var row = function (name, r, w) {
        return "<tr class='cap-" + esc(r.status) + "'><td>" + esc(name) + "</td><td class='num'>" + fmt(w.have) +
               "</td><td class='num'>" + fmt(w.need) + "</td><td class='num'>" + one(r.ratio_per_1000) +
               "</td><td class='num phone-hide'>" + fmt(r.standard_per_1000) + "</td><td class='num'>" + fmt(w.short) + "</td></tr>";
      };
      var h = "<h3>" + esc(T("cap_beds_title")) + " <span class='badge-approx'>" + esc(T("illustrative")) + "</span></h3>" +
              "<table class='data' id='beds-table'><thead><tr><th>" + T("county") + "</th><th class='num'>" + T("cap_beds_now") +
              "</th><th class='num'>" + T("cap_beds_needed") + "</th><th class='num'>" + T("cap_per_1000") +
              "</th><th class='num phone-hide'>" + T("cap_standard") + "</th><th class='num'>" + T("qa33f10_col_net") + "</th></tr></thead><tbody>";
      b.by_county.forEach(function (c) {
        h += row(window.COVERPLAN.lang === "en" ? c.name_en : c.name, c, whole(c));
      });
      h += row(T("cap_citywide"), b.citywide, whole(b.citywide)) + "</tbody></table>";
      // the page states the source in its language (the plan's sections numbered in English)
      var source = document.getElementById("targets-card").dataset.bedSource || b.standard.source;
      // the sample's beds are said to be the sample's only while they are (an imported register's are not)
      // the bed types still the sample's are named once a register of another has been imported
      var partial = b.capacities_synthetic !== false && b.sample_types && b.sample_types.length;
      var sep = window.COVERPLAN.lang === "en" ? ", " : "、";
      h += "<p class='small muted'>" + esc(T(b.capacities_synthetic === false ? "cap_derived_note" : partial ? "cap_partial_note" : "cap_synthetic_note")
        .replace("{source}", source).replace("{types}", partial ? b.sample_types.map(function (x) {
          return window.COVERPLAN.lang === "en" ? x.en : x.zh; }).join(sep) : "")) + "</p>";
      // where the citywide or a county's row nets a surplus against another's lack, say so under the table,
      // as the CLI and the capacity map do (a "shortfall 0" row can hide townships that are short)
      (b.level_notes || []).forEach(function (n) { h += "<p class='small level-note'>" + esc(n) + "</p>"; });
      // facilities of the register without a bed count are counted as 0: the figures above are low by them
      if (b.unknown_note) h += "<p class='small level-note' id='beds-unknown-note'>" + esc(b.unknown_note) + "</p>";
      bEl.innerHTML = h;
    }).catch(function (e) { failed(bEl, e); });
    getJSON("/api/coverage").then(function (rows) {
      var h = "<table class='data' id='citywide-table'><thead><tr><th>" + T("facility_type") + "</th><th>" + T("standard") +
              "</th><th class='num'>" + T("existing_facilities") + "</th><th class='num'>" + T("covered_units") +
              "</th><th>" + T("covered_share") + "</th><th class='phone-hide'></th></tr></thead><tbody>";
      rows.forEach(function (r) {
        // the type's name opens its map too: on a phone the column of links is left out
        h += "<tr><td><a href='/map/" + encodeURIComponent(r.key) + "'>" + slashBreak(r.name) + "</a>" +
             badge(r.synthetic_inputs != null ? r.synthetic_inputs : dataIllustrative) + "</td><td>" + esc(r.standard_text) + "</td><td class='num'>" + fmt(r.facilities) +
             "</td><td class='num'>" + fmt(r.covered_units) + " / " + fmt(r.units) + "</td><td>" + bar(r.covered_share) +
             "<span class='small'>" + T("by_units") + " " + pct(r.covered_share) + " · " + T("by_weight") + " " + pct(r.covered_weight_share) + "</span></td>" +
             "<td class='nowrap phone-hide'><a href='/map/" + encodeURIComponent(r.key) + "'>" + T("open_map") + " →</a></td></tr>";
      });
      cEl.innerHTML = h + "</tbody></table>";
      if (chart && rows.length) {
        var sel = "<select id='chart-type'>" + rows.map(function (r) { return "<option value='" + esc(r.key) + "'>" + esc(r.name) + "</option>"; }).join("") + "</select>";
        // drawn in the browser by charts.js; the server's SVG/PNG stay as downloads
        chart.innerHTML = "<div class='toolbar'>" + sel + "</div><div class='chart' id='county-chart-box' data-kind='county'></div>" +
                          "<p class='small muted chart-dl'>" + esc(T("download_chart")) + ": <a id='county-chart-svg' download>SVG</a> · " +
                          "<a id='county-chart-png' download>PNG</a></p>";
        var box = document.getElementById("county-chart-box"), s = document.getElementById("chart-type");
        var show = function () {
          var key = encodeURIComponent(s.value), lang = "?lang=" + encodeURIComponent(window.COVERPLAN.lang);
          box.dataset.chart = "/api/charts/coverage_by_county/" + key + lang;
          document.getElementById("county-chart-svg").href = "/charts/coverage_by_county/" + key + ".svg" + lang;
          document.getElementById("county-chart-png").href = "/charts/coverage_by_county/" + key + ".png" + lang;
          CPCharts.load(box);
        };
        s.addEventListener("change", show); show();
      }
    }).catch(function (e) { failed(cEl, e); if (chart) failed(chart, e); });
  });
})();
