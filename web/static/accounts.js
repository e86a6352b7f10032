/* What the signed-in user may do, for the page: controls he cannot use are
 * disabled with a tooltip saying why (the server refuses them anyway: this only
 * spares him a click that ends in "403").
 * Reads <script type="application/json" id="cp-user"> (base.html); sets body classes
 * cp-readonly (a viewer) and cp-county (a planner limited to one county), which
 * app.css uses to hide buttons the page scripts add later (rows of tables). */
(function () {
  "use strict";
  var el = document.getElementById("cp-user");
  var user = null;
  try { user = el ? JSON.parse(el.textContent) : null; } catch (e) { user = null; }
  var T = function (k) { return (window.CP && window.CP.T) ? window.CP.T(k) : k; };
  // Controls that change data or proposals, on the pages that have them.
  var WRITE = ["#edit-toggle", "#u-check", "#r-confirm", "#m-apply", "#p-submit", "#job-cancel", "#job-finish", "#job-retry", "#rerun",
               "#e-save", "#upload-form input", "#upload-form select", "#upload-form textarea",
               "#proposal-form input", "#proposal-form select", "#proposal-form textarea",
               "#edit-form input", "#edit-form textarea"];
  var CITYWIDE = ["#u-kind option[value='network']"];

  function lock(selectors, why) {
    selectors.forEach(function (sel) {
      document.querySelectorAll(sel).forEach(function (c) {
        c.disabled = true;
        c.setAttribute("aria-disabled", "true");
        c.title = why;
        c.classList.add("cp-locked");
      });
    });
  }

  function apply() {
    if (!user) return;
    var rights = user.rights || [];
    window.CP && (window.CP.user = user);
    if (rights.indexOf("edit") < 0) {
      document.body.classList.add("cp-readonly");
      lock(WRITE, T("auth_viewer_tip"));
      // said on the page, not only in the greyed controls' tooltips
      // (the proposal page's edit form too: its greyed re-run and save said why only in a tooltip, which a
      // phone never shows, QA 30)
      var form = document.getElementById("upload-form") || document.getElementById("proposal-form") ||
                 document.getElementById("edit-form");
      if (form && !document.getElementById("readonly-note")) {
        var note = document.createElement("p");
        note.id = "readonly-note"; note.className = "small muted"; note.textContent = T("auth_viewer_tip");
        form.parentNode.insertBefore(note, form);
      }
    } else if (!user.citywide) {
      document.body.classList.add("cp-county");
      lock(CITYWIDE, T("auth_citywide_tip"));
    }
  }

  // web/auth.py may_manage_proposal, for the page: an administrator, the proposal's author, or a planner of
  // its scope (his county; the whole city for a city-wide planner) may rename or delete it. A county planner
  // was offered Delete on the city's proposals, and the click ended in a 403 nobody saw.
  function mayManage(rec) {
    if (!user) return true;  // no account on the page: the server decides
    var rights = user.rights || [];
    if (rights.indexOf("edit") < 0) return false;
    if (rights.indexOf("admin") >= 0 || (rec.owner && rec.owner === user.id)) return true;
    return String((rec.params || {}).county || "") === String(user.county || "");
  }
  if (window.CP) window.CP.mayManage = mayManage;

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", apply);
  else apply();
})();
