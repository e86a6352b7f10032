/* One saved proposal: rename it or change its note, and find a site on the map
 * from its row in the rationale table. */
(function () {
  "use strict";
  var T = CP.T, C = CP.C;
  var $ = function (id) { return document.getElementById(id); };

  // what the page showed: only the fields changed here are sent, with what they were, so a colleague's
  // change made meanwhile is reported (409), not silently put back
  var shown = null;
  function save() {
    var form = $("edit-form");
    if (!shown) shown = {name: $("e-name").defaultValue, note: $("e-note").defaultValue};
    var body = {was: {}};
    ["name", "note"].forEach(function (k) {
      var v = $("e-" + k).value;
      if (v !== shown[k]) { body[k] = v; body.was[k] = shown[k]; }
    });
    if (!("name" in body) && !("note" in body)) { $("e-status").textContent = T("saved"); return; }
    $("e-save").disabled = true;
    $("e-status").textContent = "";
    CP.json("/api/proposals/" + encodeURIComponent(form.dataset.id) + "?lang=" + C.lang, {
      method: "PATCH", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)
    }).then(function (p) {
      // a field not sent may have been changed by a colleague meanwhile: the page shows it now, and says so
      var theirs = [];
      ["name", "note"].forEach(function (k) {
        var now = p[k] || "";
        if (!(k in body) && now !== shown[k]) { $("e-" + k).value = now; var w = T(k === "name" ? "proposal_name" : "note"); theirs.push(C.lang === "en" ? w.toLowerCase() : w); }
      });
      shown = {name: p.name || "", note: p.note || ""};
      $("e-status").textContent = T("saved") + (theirs.length ? " · " + T("edit_theirs_shown").replace("{fields}", theirs.join(C.lang === "en" ? ", " : "、")) : "");
      var h1 = document.querySelector("h1 .proposal-name");
      if (h1) h1.textContent = p.name;
      document.title = p.name + " · " + T("app_short");
    }).catch(function (e) {
      // someone else's change: the fields not edited here show theirs, and it is taken as what the page
      // shows, so saving again replaces only what was edited here (a second save put back their note)
      if (e && e.details && e.details.current) {
        ["name", "note"].forEach(function (k) {
          if ($("e-" + k).value === shown[k]) $("e-" + k).value = e.details.current[k] || "";
        });
        shown = e.details.current;
      }
      $("e-status").textContent = (e && (e.message || e.error)) || T("load_failed");
    }).then(function () { $("e-save").disabled = false; });
  }

  // Solve again on the current data version, then compare the two.
  function rerun() {
    var id = $("rerun").dataset.id;
    $("rerun").disabled = true;
    CP.json("/api/proposals/" + encodeURIComponent(id) + "/rerun?lang=" + C.lang, {method: "POST"}).then(function (job) {
      (function poll() {
        CP.json("/api/jobs/" + job.id + "?lang=" + C.lang).then(function (j) {
          $("rerun-status").textContent = T("job_" + j.state) + (j.message ? " · " + j.message : "");
          if (j.state === "done" && j.result) { location.href = job.compare + encodeURIComponent(j.result.proposal_id); return; }
          if (j.state === "queued" || j.state === "running") setTimeout(poll, 500);
          else { $("rerun").disabled = false; if (j.error) $("rerun-status").textContent = j.error.message || j.error.error; }
        }).catch(function () { setTimeout(poll, 1500); });
      })();
    }).catch(function (e) {
      $("rerun").disabled = false;
      $("rerun-status").textContent = (e && (e.message || e.error)) || T("load_failed");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if ($("edit-form")) $("edit-form").addEventListener("submit", save);
    if ($("rerun")) $("rerun").addEventListener("click", rerun);
    document.querySelectorAll("#rationale tr.site-row").forEach(function (tr) {
      tr.tabIndex = 0;  // Enter/Space opens the site, as a click (common.js)
      tr.addEventListener("click", function () {
        var m = window.coverplanMaps && window.coverplanMaps.map;
        if (!m) return;
        CoverMap.focusSite(m, tr.dataset.priority);
        var box = $("map").getBoundingClientRect();  // beside the rows (sticky) it is in view already
        if (box.bottom < 0 || box.top > window.innerHeight) $("map").scrollIntoView({behavior: "smooth", block: "center"});
      });
    });
  });
})();
