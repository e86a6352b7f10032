/* Upgrade candidates on a coverage map (issue 16): the K box of an upgradable type
 * asks /api/upgrades/<type>/layer for the K existing facilities whose upgrade (or
 * conversion) serves the most demand, draws them numbered on the map
 * (CoverMap.showUpgrades) and lists their reasons beside it; a row opens its marker. */
(function () {
  "use strict";
  var C = CP.C, T = CP.T, esc = CP.esc, fmt = CP.fmt;
  var $ = function (id) { return document.getElementById(id); };

  function mapOut() { return window.coverplanMaps && window.coverplanMaps.map; }

  function run() {
    var card = $("upgrade-card"), out = mapOut();
    if (!out) return;
    var k = $("upgrade-k").value.trim(), convert = $("upgrade-convert") && $("upgrade-convert").checked;
    var url = "/api/upgrades/" + encodeURIComponent(card.dataset.type) + "/layer?lang=" + C.lang +
              "&k=" + encodeURIComponent(k) + (convert ? "&convert=1" : "");
    $("upgrade-run").disabled = true;
    $("upgrade-status").textContent = T("capw_upgrade_running");
    $("upgrade-notes").innerHTML = "";
    card.dataset.ready = "";
    CP.json(url).then(function (fc) {
      var group = CoverMap.showUpgrades(out, fc), meta = fc.coverplan || {};
      var b = meta.before || {}, a = meta.after || {};
      // "1 facility", "2 facilities" (Chinese counts have no plural)
      $("upgrade-status").textContent = T(fc.features.length === 1 ? "capw_upgrade_result_one" : "capw_upgrade_result")
        .replace("{n}", fmt(fc.features.length))
        .replace("{before}", fmt(b.served)).replace("{after}", fmt(a.served)).replace("{demand}", fmt(a.demand))
        .replace("{basis}", T("capw_basis_" + (meta.basis || "population")));
      // what the numbers mean: upgrades that add nobody, the most any upgrade could serve, the capacity rule
      $("upgrade-notes").innerHTML = (meta.notes || []).map(function (n) { return "<p class='muted'>" + esc(n) + "</p>"; }).join("");
      var rows = fc.features.map(function (f) {
        var p = f.properties;
        return "<tr tabindex='0' data-priority='" + esc(p.priority) + "'><td class='num'>" + esc(p.priority) + "</td><td>" + esc(p.name) +
          "<div class='small muted'>" + esc(C.lang === "en" ? (p.county_name_en || p.county_name) : p.county_name) + " · " + esc(p.township_name) + "</div></td><td class='small'>" +
          esc(C.lang === "en" ? p.reason_en : p.reason_zh) + "</td></tr>";
      });
      var table = $("upgrade-table");
      table.querySelector("tbody").innerHTML = rows.join("");
      table.hidden = !rows.length;
      table.querySelectorAll("tr[data-priority]").forEach(function (tr) {
        tr.addEventListener("click", function () {
          group.eachLayer(function (l) {
            if (String(l.feature.properties.priority) === tr.dataset.priority) {
              out.map.setView(l.getLatLng(), Math.max(out.map.getZoom(), 11));
              l.openPopup();
              // one column (narrow screens): the map is above the cards, out of view
              var box = $("map").getBoundingClientRect();
              if (box.bottom < 0 || box.top > window.innerHeight) $("map").scrollIntoView({behavior: "smooth", block: "center"});
            }
          });
        });
      });
      card.dataset.ready = "1";
    }).catch(function (e) {
      $("upgrade-status").textContent = (e && (e.message || e.error)) || T("load_failed");
      clear();  // the last answer's rows and markers are not this K's: they go with it
      card.dataset.ready = "error";
    }).then(function () { $("upgrade-run").disabled = false; });
  }

  // The last answer off the card and the map: its table, its notes and its numbered markers.
  function clear() {
    var out = mapOut();
    $("upgrade-notes").innerHTML = "";
    $("upgrade-table").hidden = true;
    $("upgrade-table").querySelector("tbody").innerHTML = "";
    if (out && CoverMap.clearUpgrades) CoverMap.clearUpgrades(out);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = $("upgrade-form");
    if (form) form.addEventListener("submit", run);
    // ticking "convert" takes K from the upgrade target's default to the conversion target's (5 -> 8 welfare
    // homes) and back, unless the planner typed his own
    var kBox = $("upgrade-k"), conv = $("upgrade-convert");
    if (kBox && conv && kBox.dataset.kconvert) conv.addEventListener("change", function () {
      var from = conv.checked ? kBox.dataset.k : kBox.dataset.kconvert;
      if (kBox.value.trim() === from) kBox.value = conv.checked ? kBox.dataset.kconvert : kBox.dataset.k;
      // the most K can be: the conversion's limit or the upgrade's (map.html, as the proposals form)
      var most = conv.checked ? kBox.dataset.kmaxconvert : kBox.dataset.kmax;
      if (most) kBox.max = most;
      CP.numberCheck(kBox);  // its message follows the new most and the new K
    });
    // 0, 2.5, more than there are: said in the page's words (the browser said them in its own, QA 26)
    CP.watchNumber(kBox, $("upgrade-run"));
    // a K the field refuses (0, 68, 1.5): the field says why, and the last answer must not stay on the card
    // and the map beside it as if it were this K's (as the bed card, beds.js)
    if (kBox) kBox.addEventListener("invalid", function () {
      clear();
      $("upgrade-status").textContent = "";
      var card = $("upgrade-card");
      if (card) card.dataset.ready = "";
    });
  });
})();
