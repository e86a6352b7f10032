/* One saved proposal: rename it or change its note, and find a site on the map
 * from its row in the rationale table. */
(function () {
  "use strict";
  var T = CP.T, C = CP.C;
  var $ = function (id) { return document.getElementById(id); };

  function save() {
    var form = $("edit-form");
    $("e-save").disabled = true;
    $("e-status").textContent = "";
    CP.json("/api/proposals/" + encodeURIComponent(form.dataset.id) + "?lang=" + C.lang, {
      method: "PATCH", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({name: $("e-name").value, note: $("e-note").value})
    }).then(function (p) {
      $("e-status").textContent = T("saved");
      var h1 = document.querySelector("h1 .proposal-name");
      if (h1) h1.textContent = p.name;
      document.title = p.name + " · " + T("app_short");
    }).catch(function (e) {
      $("e-status").textContent = (e && (e.message || e.error)) || T("load_failed");
    }).then(function () { $("e-save").disabled = false; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if ($("edit-form")) $("edit-form").addEventListener("submit", save);
    document.querySelectorAll("#rationale tr.site-row").forEach(function (tr) {
      tr.addEventListener("click", function () {
        var m = window.coverplanMaps && window.coverplanMaps.map;
        if (!m) return;
        CoverMap.focusSite(m, tr.dataset.priority);
        $("map").scrollIntoView({behavior: "smooth", block: "center"});
      });
    });
  });
})();
