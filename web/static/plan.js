/* Plan package: tick saved proposals, see every plan target now and after all of
 * them are built (/api/targets?proposals=a,b). The picked ids live in the URL
 * (?proposals=a,b), so a package can be shared and the language switch keeps it. */
(function () {
  "use strict";
  var C = CP.C, T = CP.T, esc = CP.esc;
  var picked = [], known = {}, seq = 0, roles = {};

  function el(id) { return document.getElementById(id); }

  // The data version a proposal was solved on, and the current one (the header's, web/templates/base.html):
  // a package of proposals solved on other versions adds their sites to the current data's facilities.
  function version(p) { return +((p && p.params && p.params.dataset_version) || 0); }
  function currentVersion() {
    var h = el("data-version");
    return h && h.dataset.v !== undefined ? +h.dataset.v : 0;
  }
  function listSep() { return C.lang === "en" ? ", " : "、"; }
  // the picked proposals behind a target of ``type``: its own type's, or a conversion into it
  function behind(type) {
    return picked.map(function (id) { return known[id]; }).filter(function (p) {
      return p && (p.type === type || (p.converted && roles[p.type] === type));
    });
  }

  function syncUrl() {
    var q = new URLSearchParams();
    if (picked.length) q.set("proposals", picked.join(","));
    // URLSearchParams would write the commas as %2C: keep the link readable
    var s = q.toString().replace(/%2C/g, ",");
    history.replaceState(null, "", s ? "?" + s : location.pathname);
    var sw = el("lang-switch");
    if (sw) sw.href = "?" + (s ? s + "&" : "") + "lang=" + (C.lang === "en" ? "zh" : "en");
    el("picked-count").textContent = T("plan_picked").replace("{n}", picked.length);
    // the downloads hold the table shown: the same picks, in the page's language
    ["csv", "xlsx"].forEach(function (f) {
      el("plan-export-" + f).href = "/plan/targets." + f + "?" + (s ? s + "&" : "") + "lang=" + C.lang;
    });
  }

  function badge(met) {
    return "<span class='st st-" + (met ? "met" : "not_met") + "'>" + esc(T(met ? "status_met" : "status_not_met")) + "</span>";
  }

  // an upgrade proposal builds nothing new: its sites are upgraded (or converted) ones
  function sitesText(p) {
    var key = p.kind === "upgrade" ? (p.converted ? "plan_sites_converted" : "plan_sites_upgraded") : "plan_sites_new";
    return T(key).replace("{n}", CP.fmt(p.n_sites));
  }

  function renderProposals(list) {
    var cur = currentVersion();
    var h = list.map(function (p) {
      // outdated: its data differ from the current data (a rollback to its version is current: QA 22)
      // (QA 32: outdated only when the data it was solved on changed, data_changed naming them; an older
      // version whose changes it does not use is said calmly, data_note)
      var on = picked.indexOf(p.id) >= 0, v = version(p), stale = !!p.outdated;
      var tip = T("plan_version_tip").replace("{cur}", cur) +
        (stale && (p.data_changed || []).length ? " · " + T("qa32fe_changed").replace("{layers}", p.data_changed.join(listSep())) : "") +
        (!stale && p.data_note ? " · " + p.data_note : "");
      // where it was solved for: the whole city, or the county a county planner's proposal is for
      var scope = p.scope || {};
      return "<tr data-id='" + esc(p.id) + "' data-type='" + esc(p.type) + "' data-scope='" + esc(scope.county || "") + "'>" +
        "<td><input type='checkbox' class='pick' value='" + esc(p.id) + "'" + (on ? " checked" : "") +
        " aria-label='" + esc(p.name) + "'></td>" +
        "<td><a href='/proposals/" + encodeURIComponent(p.id) + "'>" + esc(p.name) + "</a></td>" +
        "<td>" + esc(p.type_name) + "</td>" +
        "<td class='p-scope" + (scope.county ? " county" : "") + "'>" + esc(scope.name || T("scope_city")) + "</td>" +
        "<td class='num n-sites'>" + esc(sitesText(p)) + "</td>" +
        "<td class='num p-version" + (stale ? " bad" : "") + "' data-v='" + esc(v) + "' data-stale='" + (stale ? "1" : "0") +
        "' title='" + esc(tip) + "'>v" + esc(v) +
        // the words under the version wrap (the cell is a number's, nowrap): with the scope column the English
        // "not the current data" pushed the picker past its card at 1,366 px
        (stale ? "<div class='small' style='white-space:normal'>" + esc(T("list_outdated")) + "</div>" :
          (p.data_note ? "<div class='small muted unaffected' style='white-space:normal'>" + esc(T("qa32fe_unaffected_short")) +
            "</div>" : "")) + "</td></tr>";
    }).join("");
    el("plan-proposals").querySelector("tbody").innerHTML =
      h || "<tr><td colspan='6' class='muted'>" + esc(T("plan_no_proposals")) + "</td></tr>";
  }

  // the data versions of the proposals behind a target's "after" (red when one is not the current data's)
  function versionsLine(type) {
    var cur = currentVersion(), vs = [];
    behind(type).forEach(function (p) { if (vs.indexOf(version(p)) < 0) vs.push(version(p)); });
    if (!vs.length) return "";
    vs.sort(function (a, b) { return a - b; });
    var stale = behind(type).some(function (p) { return p.outdated; });
    var named = vs.map(function (v) { return "v" + v; }).join(listSep());
    // solved on v0 when the current v2 is a rollback to it: the same data, said so, not "the current v2"
    // (QA 32: or an older version whose changes since are in data these proposals do not use)
    var key = stale ? "plan_after_versions" : (vs.some(function (v) { return v !== cur; }) ? "qa32fe_after_versions_unaffected"
                                                                                          : "plan_after_versions_current");
    var text = T(key).replace("{versions}", named).replace("{cur}", cur);
    // target-notes: wraps in its cell as the notes above it do (a long line widened the table past its card)
    return "<div class='small target-versions target-notes " + (stale ? "bad" : "muted") + "' data-stale='" + (stale ? "1" : "0") + "'>" +
      esc(text) + "</div>";
  }

  // A proposal picked that was solved on another data version than the current one: said above the
  // table, as the proposal's own page says it, naming each with its version.
  function versionNote() {
    var cur = currentVersion(), note = el("plan-version-note");
    var stale = picked.map(function (id) { return known[id]; }).filter(function (p) { return p && p.outdated; });
    note.hidden = !stale.length;
    note.textContent = !stale.length ? "" : T("plan_version_stale").replace("{cur}", cur).replace("{list}", stale.map(function (p) {
      return (C.lang === "en" ? "\"" + p.name + "\" (v" + version(p) + ")" : "“" + p.name + "”（v" + version(p) + "）");
    }).join(listSep()));
  }

  function renderTargets(rows) {
    var met = 0, metAfter = 0;
    versionNote();
    var h = rows.map(function (r) {
      var after;
      if (r.after) {
        var extra = (r.after.notes || []).slice();  // the server's words (web/service.after_notes)
        after = "<span class='plan-value'>" + esc(r.after.text) + "</span> " + badge(r.after.met) +
          (extra.length ? "<div class='small muted target-notes'>" + esc(extra.join(" · ")) + "</div>" : "") +
          versionsLine(r.type);
      } else if (picked.length) {
        after = "<span class='muted'>" + esc(r.current_text) + "</span> " + badge(r.met) +
          "<div class='small muted'>" + esc(T("plan_unchanged")) + "</div>";
      } else {
        // nothing picked: after the package is the current state, as the line above the table says
        // (and as the export writes it), not a column of dashes
        after = "<span class='muted plan-value'>" + esc(r.current_text) + "</span> " + badge(r.met);
      }
      met += r.met ? 1 : 0;
      metAfter += (r.after ? r.after.met : r.met) ? 1 : 0;
      var changed = r.after && r.after.met !== r.met;
      return "<tr data-key='" + esc(r.key) + "' data-type='" + esc(r.type) + "' data-after='" + (r.after ? "1" : "0") + "'" +
        (changed ? " class='plan-changed'" : "") + ">" +
        "<td>" + esc(r.type_name) + (r.synthetic_inputs ? " <span class='badge-approx'>" + esc(T("illustrative")) + "</span>" : "") + "</td>" +
        "<td>" + esc(r.text) + (r.overlap_note ? "<div class='small bad overlap-note'>" + esc(r.overlap_note) + "</div>" : "") + "</td>" +
        "<td class='num'><span class='plan-value'>" + esc(r.current_text) + "</span> " + badge(r.met) + "</td>" +
        "<td class='num after'>" + after + "</td></tr>";
    }).join("");
    el("plan-targets").querySelector("tbody").innerHTML = h || "<tr><td colspan='4' class='muted'>" + esc(T("no_data")) + "</td></tr>";
    var summary = T("plan_summary").replace("{n}", metAfter).replace(/\{m\}/g, rows.length).replace("{k}", met);
    el("plan-summary").innerHTML = (picked.length ? "" : "<span class='muted'>" + esc(T("plan_none_picked")) + "</span><br>") +
      "<b>" + esc(summary) + "</b>";
    el("plan-summary").dataset.met = String(metAfter);
    el("plan-summary").dataset.total = String(rows.length);
  }

  function loadTargets() {
    var my = ++seq;
    el("plan-targets").dataset.ready = "0";
    var url = "/api/targets?lang=" + C.lang + (picked.length ? "&proposals=" + picked.map(encodeURIComponent).join(",") : "");
    CP.json(url)
      .then(function (rows) {
        if (my !== seq) return;  // the picks changed while this was computed
        renderTargets(rows);
        el("plan-targets").dataset.ready = "1";
      })
      .catch(function (e) {
        if (my !== seq) return;
        el("plan-targets").querySelector("tbody").innerHTML =
          "<tr><td colspan='4' class='error-box'>" + esc((e && e.message) || T("load_failed")) + "</td></tr>";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    picked = JSON.parse(el("plan-picked").textContent);
    roles = JSON.parse(el("plan-roles").textContent);
    CP.json("/api/proposals?lang=" + C.lang)
      .then(function (list) {
        list.forEach(function (p) { known[p.id] = p; });
        // a shared link may name proposals deleted since: say so and go on without them
        var missing = picked.filter(function (id) { return !known[id]; });
        if (missing.length) {
          el("plan-missing").textContent = T("plan_missing") + " " + missing.join(", ");
          el("plan-missing").hidden = false;
          picked = picked.filter(function (id) { return known[id]; });
        }
        renderProposals(list);
        syncUrl();
        loadTargets();
      })
      .catch(function (e) {
        el("plan-proposals").querySelector("tbody").innerHTML =
          "<tr><td colspan='6' class='error-box'>" + esc((e && e.message) || T("load_failed")) + "</td></tr>";
      });
    el("plan-proposals").addEventListener("change", function (ev) {
      if (!ev.target.classList.contains("pick")) return;
      var id = ev.target.value;
      picked = picked.filter(function (x) { return x !== id; });
      if (ev.target.checked) picked.push(id);
      syncUrl();
      loadTargets();
    });
    el("plan-clear").addEventListener("click", function () {
      picked = [];
      document.querySelectorAll("#plan-proposals input.pick").forEach(function (c) { c.checked = false; });
      syncUrl();
      loadTargets();
    });
  });
})();
