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
    // a proposal keeps a name: said plainly here, as an error (the server's 400 named its field key, in grey)
    if ("name" in body && !body.name.trim()) { status(T("proposal_name_empty"), true); $("e-name").focus(); return; }
    if (!("name" in body) && !("note" in body)) { status(T("saved")); return; }
    $("e-save").disabled = true;
    status("");
    CP.json("/api/proposals/" + encodeURIComponent(form.dataset.id) + "?lang=" + C.lang, {
      method: "PATCH", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)
    }).then(function (p) {
      // a field not sent may have been changed by a colleague meanwhile: the page shows it now, and says so
      var theirs = [];
      ["name", "note"].forEach(function (k) {
        var now = own(p, k);
        if (!(k in body) && now !== shown[k]) { $("e-" + k).value = now; var w = T(k === "name" ? "proposal_name" : "note"); theirs.push(C.lang === "en" ? w.toLowerCase() : w); }
      });
      shown = {name: p.name || "", note: own(p, "note")};
      keepDraft();  // saved: no draft left to restore
      status(T("saved") + (theirs.length ? " · " + T("edit_theirs_shown").replace("{fields}", theirs.join(C.lang === "en" ? ", " : "、")) : ""));
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
        keepDraft();  // the note typed here now stands over theirs
        // the heading names the proposal as saved now (the colleague's name), not the one the page opened with
        var h = document.querySelector("h1 .proposal-name");
        if (h && shown.name) { h.textContent = shown.name; document.title = shown.name + " · " + T("app_short"); }
      }
      // an empty name refused by the server (sent by another client, or spaces only): the plain sentence
      var field = e && e.details && e.details.parameter;
      status(field === "name" && e.error === "InputDataError" && !($("e-name").value || "").trim() ? T("proposal_name_empty")
        : plainField((e && (e.message || e.error)) || T("load_failed"), field), true);
    }).then(function () { $("e-save").disabled = false; });
  }

  // The note being typed, kept in this tab (sessionStorage, by proposal) while it differs from the note saved, with the
  // note it was typed over: a login that ended meanwhile (the account disabled, then enabled again) sends the planner
  // to "Log in again" and back here, and his note was lost (QA 35). Restored on the way back; saved with the note it
  // was typed over as what the page showed, so a colleague's note saved meanwhile is still a 409, not overwritten.
  // by account too: on a shared PC another planner logging in through "Log in again" in this tab was offered the
  // first one's text as "your unsaved note" (review of QA 35)
  function draftKey() {
    var who = "";
    try { who = (JSON.parse(($("cp-user") || {}).textContent || "null") || {}).id || ""; } catch (err) { who = ""; }
    return "cp-note-draft:" + who + ":" + (($("edit-form") || {}).dataset || {}).id;
  }
  function keepDraft() {
    var el = $("e-note");
    if (!el) return;
    var base = shown ? shown.note : el.defaultValue;
    try {
      if (el.value === base) sessionStorage.removeItem(draftKey());
      else sessionStorage.setItem(draftKey(), JSON.stringify({note: el.value, base: base}));
    } catch (err) { /* private mode: nothing kept */ }
  }
  function restoreDraft() {
    var el = $("e-note"), d = null;
    if (!el || el.disabled) return;
    try { d = JSON.parse(sessionStorage.getItem(draftKey()) || "null"); } catch (err) { d = null; }
    if (!d || typeof d.note !== "string" || typeof d.base !== "string" || d.note === el.value) return;
    shown = {name: $("e-name").defaultValue, note: d.base};
    el.value = d.note;
    status(T("qa35f6_note_draft_restored"));
  }

  // A field as the page edits it: the note as the planner typed it (``planner_note``); the API's ``note`` has the
  // app's notes after it (web.proposals.notes_view), which the page shows apart and never saves into his (QA 33)
  function own(p, k) {
    if (k === "note" && p.planner_note != null) return p.planner_note;
    return p[k] || "";
  }

  // A refusal of a field named by its label only: the API's message also gives the field's key for API users
  // (“方案名称”（name）…, "Bad parameter name (Proposal name) = …"), which means nothing on this page.
  function plainField(text, field) {
    if (field !== "name" && field !== "note") return text;
    return String(text).replace("”（" + field + "）", "”").replace(new RegExp("^Bad parameter " + field + " \\(([^)]+)\\) = "), "$1: ");
  }

  // The save's outcome beside the button: a refusal in the error colour, "saved" in grey.
  function status(text, error) {
    var el = $("e-status");
    el.textContent = text;
    el.classList.toggle("error-text", !!error);
    el.classList.toggle("muted", !error);
    if (error) el.setAttribute("role", "alert"); else el.removeAttribute("role");
  }

  // Solve again on the current data version, then compare the two.
  function rerun() {
    var id = $("rerun").dataset.id;
    $("rerun").disabled = true;
    CP.json("/api/proposals/" + encodeURIComponent(id) + "/rerun?lang=" + C.lang, {method: "POST"}).then(function (job) {
      // the planner's own re-solve on this data version: opened (or its solve followed), no second copy saved
      if (job.reused_text) $("rerun-status").textContent = job.reused_text;
      if (job.reused === "proposal" && job.result) { location.href = job.compare + encodeURIComponent(job.result.proposal_id); return; }
      (function poll() {
        CP.json("/api/jobs/" + job.id + "?lang=" + C.lang).then(function (j) {
          var said = j.state === "done" || j.state === "cancelled" ? "" : j.message;  // its state says it
          $("rerun-status").textContent = (job.reused_text ? job.reused_text + " " : "") + T("job_" + j.state) + (said ? " · " + said : "");
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

  // A re-solve's page: how it differs from the proposal it solved again (GET /api/proposals/<id>/rerun-diff): the
  // figures of both side by side, the facilities an upgrade adds and drops, links to the earlier one
  function rerunDiff() {
    var card = $("rerun-diff");
    if (!card) return;
    var esc = CP.esc, body = $("rerun-diff-body");
    CP.json(card.dataset.url + "?lang=" + C.lang).then(function (d) {
      var lines = d.lines || [], h = "", why = (d.data_lines || []).length;
      if (lines.length) h += "<p class='explanation' id='rerun-diff-intro'>" + esc(lines[0]) + "</p>";
      // why it differs: the data changed between the two versions (its type's facilities added, removed...),
      // or the same data and the settings (QA 33); said right under the intro, before the figures
      if (why) {
        h += "<ul class='small' id='rerun-diff-why'>";
        lines.slice(1, 1 + why).forEach(function (l) { h += "<li>" + esc(l) + "</li>"; });
        h += "</ul>";
      }
      if ((d.rows || []).length) {
        h += "<div class='table-wrap'><table class='data small' id='rerun-diff-table'><thead><tr>";
        (d.headers || []).forEach(function (x, i) { h += "<th" + (i ? " class='num'" : "") + ">" + esc(x) + "</th>"; });
        h += "</tr></thead><tbody>";
        d.rows.forEach(function (r) {
          h += "<tr><td>" + esc(r.label) + "</td><td class='num'>" + esc(r.old) + "</td><td class='num'><b>" + esc(r.new) + "</b></td></tr>";
        });
        h += "</tbody></table></div>";
      }
      lines.slice(1 + why).forEach(function (l) { h += "<p class='rerun-diff-line'>" + esc(l) + "</p>"; });
      var links = [];
      if (d.old) links.push("<a href='" + esc(d.old.url) + "' id='rerun-diff-old'>" + esc(T("qa32fi_diff_open_old")) + "</a>");
      if (d.compare) links.push("<a href='" + esc(d.compare) + "' id='rerun-diff-compare'>" + esc(T("qa32fi_diff_compare")) + "</a>");
      if (links.length) h += "<p class='small'>" + links.join(" · ") + "</p>";
      body.innerHTML = h;
      card.dataset.ready = "1";
    }).catch(function (e) {
      body.innerHTML = "<p class='error-text'>" + esc((e && (e.message || e.error)) || T("load_failed")) + "</p>";
    });
  }

  // Rename and re-run only where the server allows them (the rules of web/auth.py and web/api.py proposal_rerun):
  // a county planner on a city-wide proposal got the form, and a 403 on saving.
  function lockUnmanaged() {
    var u = CP.user, form = $("edit-form");
    if (!u || !form || !CP.mayManage) return;
    var scope = form.dataset.scope || "";
    var lock = function (els, why) {
      els.forEach(function (c) {
        if (!c) return;
        c.disabled = true; c.setAttribute("aria-disabled", "true"); c.title = why; c.classList.add("cp-locked");
      });
    };
    // a re-run is solved for the proposal's scope: a county planner may re-run his county's only
    // (a viewer's button is locked by accounts.js with the viewer's reason: not told it is about his county)
    var edits = (u.rights || []).indexOf("edit") >= 0;
    if (!edits) return;
    if (!u.citywide && scope !== (u.county || "")) lock([$("rerun")], T("auth_rerun_tip"));
    if (CP.mayManage({params: {county: scope}})) return;
    // not his scope: his own proposal still is his (the author); the list says who made it
    CP.json("/api/proposals?lang=" + C.lang).then(function (rows) {
      var rec = rows.filter(function (r) { return r.id === form.dataset.id; })[0];
      if (rec && !CP.mayManage(rec)) lock([$("e-name"), $("e-note"), $("e-save")], T("auth_manage_tip"));
    }).catch(function () { /* unknown: the server decides on saving */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    lockUnmanaged();
    if ($("edit-form")) $("edit-form").addEventListener("submit", save);
    if ($("e-note")) { restoreDraft(); $("e-note").addEventListener("input", keepDraft); }
    if ($("rerun")) $("rerun").addEventListener("click", rerun);
    rerunDiff();
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
