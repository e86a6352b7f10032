/* Proposal form: start a background solve, poll its job, allow cancel and retry;
 * list, filter and compare saved proposals.
 *
 * A job lives in the server's memory: after a restart the server answers
 * "interrupted" (or 404 for a job it never journaled), and while it is down
 * the poll fails. Neither may leave the form stuck on "running": the state is
 * shown and the planner can retry with the same parameters. */
(function () {
  "use strict";
  var C = CP.C, T = CP.T, esc = CP.esc, pct = CP.pct, api = CP.json;
  var $ = function (id) { return document.getElementById(id); };
  var current = null, timer = null, lastBody = null, failures = 0, allRows = [];
  var FIELDS = ["type", "kind", "sizes", "costs", "budget-sites", "budget-cost", "k",
                "model", "p", "standard-urban", "standard-rural", "mode", "name", "note"];
  var MAX_POLL_FAILURES = 40;  // ~1 min of an unreachable server before giving up

  function syncForm() {
    var o = $("p-type").selectedOptions[0], model = $("p-model").value;
    // LSCP decides the number of sites itself; "auto" on a full-coverage type
    // becomes MCLP when a number is given (the server does the same).
    $("p-p").disabled = model === "lscp";
    if (model === "lscp") $("p-p").value = "";
    $("p-p").placeholder = model === "lscp" ? "" : o.dataset.p;
    $("p-hint").textContent = model === "lscp" ? T("n_sites_lscp") :
      (model === "auto" && o.dataset.model === "lscp") ? T("n_sites_auto_lscp") : T("n_sites_hint_p").replace("{p}", o.dataset.p);
    $("p-standard-urban").placeholder = o.dataset.urban;
    $("p-standard-rural").placeholder = o.dataset.rural;
    $("standard-unit").textContent = o.dataset.unit;
    $("standard-hint").textContent = o.dataset.unit + " · " + T("standard_hint") + " (" + o.dataset.standard + ")";
    // the planner's required/forbidden candidate sites of this type: the proposal keeps to them
    var r = +o.dataset.required || 0, f = +o.dataset.forbidden || 0;
    $("p-marks").hidden = !(r || f);
    $("p-marks").textContent = T("marks_in_form").replace("{r}", r).replace("{f}", f);
    syncKind(o);
  }

  // Sizes and budget, or upgrades (issue 16): offered for the types that state them.
  function syncKind(o) {
    var kind = $("p-kind");
    kind.querySelector("option[value='sized']").disabled = !o.dataset.sizes;
    kind.querySelector("option[value='upgrade']").disabled = !o.dataset.upgrade;
    if (kind.selectedOptions[0].disabled) kind.value = "location";
    ["location", "sized", "upgrade"].forEach(function (k) {
      document.querySelectorAll(".only-" + k).forEach(function (e) { e.hidden = kind.value !== k; });
    });
    if (o.dataset.sizes) {
      $("p-sizes").placeholder = o.dataset.sizes;
      $("sizes-hint").textContent = T("capw_sizes_hint").replace("{unit}", o.dataset.capunit)
        .replace("{sizes}", o.dataset.sizes).replace("{costs}", o.dataset.costs);
      $("budget-hint").textContent = T("capw_budget_hint").replace("{p}", o.dataset.p);
    }
    if (o.dataset.upgrade) {
      $("p-convert-label").hidden = o.dataset.upgrade === "upgrade";
      $("p-convert").disabled = o.dataset.upgrade === "convert";
      if (o.dataset.upgrade === "convert") $("p-convert").checked = true;
      // the server's default K: the plan's target for an upgrade, or for a conversion (8 welfare homes, not 5)
      $("p-k").placeholder = $("p-convert").checked && o.dataset.kconvert ? o.dataset.kconvert : o.dataset.k;
    }
  }

  function setBusy(busy) {
    $("p-submit").disabled = busy;
    $("job-cancel").hidden = !busy;
  }

  function showJob(job) {
    $("job").hidden = false;
    $("job").dataset.state = job.state;
    var label = T("job_" + job.state);
    if (job.state === "queued" && job.ahead > 0) label += " · " + T("jobs_ahead").replace("{n}", job.ahead);
    $("job-state").textContent = label;
    $("job-message").textContent = job.message || "";
    $("job-bar").style.width = (100 * (job.progress || 0)).toFixed(0) + "%";
    var active = job.state === "queued" || job.state === "running";
    setBusy(active);
    $("job-retry").hidden = !(job.state === "interrupted" || job.state === "failed" || job.state === "lost");
    if ((job.state === "failed" || job.state === "interrupted") && (job.error || job.message)) {
      $("job-error").hidden = false;
      $("job-error").textContent = job.error ? (job.error.message || job.error.error) : job.message;
    } else if (active) {
      $("job-error").hidden = true;
    }
  }

  function lost(message) {
    current = null;
    remember(null);
    showJob({state: "lost", progress: 0, message: ""});
    $("job-state").textContent = T("job_interrupted");
    $("job-error").hidden = false;
    $("job-error").textContent = message;
  }

  function poll() {
    if (!current) return;
    api("/api/jobs/" + current + "?lang=" + C.lang).then(function (job) {
      failures = 0;
      showJob(job);
      if (job.state === "done" && job.result) { remember(null); location.href = job.result.url; return; }
      if (job.state === "queued" || job.state === "running") timer = setTimeout(poll, 500);
      else { current = null; remember(null); loadSaved(); }
    }).catch(function (e) {
      if (e && e.error === "NotFoundError") {  // the server no longer knows this job: restarted
        lost(T("job_lost"));
        return;
      }
      failures += 1;
      $("job-message").textContent = T("server_unreachable");
      if (failures >= MAX_POLL_FAILURES) { lost(T("server_unreachable")); return; }
      timer = setTimeout(poll, 1500);
    });
  }

  // The browser's own checks (min, max, step, "not a number"), which a click handler
  // would otherwise skip: "1e" in a number field reads as "" and would silently become the
  // default. The first field in error is shown with the browser's bubble, in our words
  // for letters in a number field.
  function formValid() {
    return FIELDS.every(function (k) {
      var el = $("p-" + k);
      if (el.closest("[hidden]") || el.disabled || !el.willValidate) return true;
      var v = el.validity;
      el.setCustomValidity(v.badInput ? T("form_not_a_number") :
        v.rangeUnderflow ? T("form_too_small").replace("{min}", el.min) :
        v.rangeOverflow ? T("form_too_large").replace("{max}", el.max) :
        v.stepMismatch ? T("form_whole_number") : "");
      return el.reportValidity();
    });
  }

  function formBody() {
    var body = {};
    FIELDS.forEach(function (k) {
      var el = $("p-" + k);
      if (el.closest("[hidden]")) return;  // fields of another kind of proposal
      var v = el.value;
      if (v !== "") body[k.replace("-", "_")] = v;
    });
    if (body.kind === "upgrade" && $("p-convert").checked) body.convert = true;
    if (body.kind === "location") delete body.kind;
    return body;
  }

  // The running job survives a page reload (sessionStorage), so a planner who
  // reloads still sees it finish, fail or be interrupted.
  function remember(id, body) {
    try {
      if (id) sessionStorage.setItem("coverplan-job", JSON.stringify({id: id, body: body}));
      else sessionStorage.removeItem("coverplan-job");
    } catch (e) { /* private mode: no resume, nothing else lost */ }
  }

  function resume() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem("coverplan-job") || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.id) return;
    current = saved.id; lastBody = saved.body;
    $("job").hidden = false;
    poll();
  }

  function start(body) {
    lastBody = body;
    clearTimeout(timer);
    setBusy(true);
    $("job-error").hidden = true;
    $("job-retry").hidden = true;
    api("/api/proposals?lang=" + C.lang, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (job) { current = job.id; failures = 0; remember(job.id, body); showJob(job); poll(); })
      .catch(function (e) {
        setBusy(false);
        $("job").hidden = false; $("job").dataset.state = "failed";
        $("job-state").textContent = T("job_failed");
        $("job-error").hidden = false;
        $("job-error").textContent = (e && (e.message || e.error)) || T("load_failed");
        $("job-retry").hidden = !(e && e.error === "ServerBusy");
      });
  }

  function rowHtml(r) {
    // a generated name breaks after its slashes first ("Community/<wbr>village"), not inside a word
    var name = "<a href='/proposals/" + encodeURIComponent(r.id) + "'>" + esc(r.name).replace(/\//g, "/<wbr>") + "</a>" +
      (r.note ? "<div class='small muted'>" + esc(r.note) + "</div>" : "");
    if (r.damaged) name = esc(r.name) + " <span class='st st-not_met'>" + T("damaged") + "</span>";
    return "<tr data-id='" + esc(r.id) + "' data-type='" + esc(r.type) + "'" + (r.outdated ? " class='outdated'" : "") + ">" +
      "<td>" + (r.damaged ? "" : "<input type='checkbox' class='pick' value='" + esc(r.id) + "' data-type='" + esc(r.type) +
        "' data-kind='" + esc(r.kind || "location") + "'>") + "</td>" +
      "<td>" + name + "</td><td>" + esc(r.type_name || r.type).replace(/\//g, "/<wbr>") + "</td>" +
      scopeCell(r) +
      // every count with its separators, as the other figures ("1,337", not "1337")
      "<td class='num'>" + CP.fmt(r.n_sites) + (r.kind === "upgrade" ?
        "<div class='small muted kind-tag'>" + T(r.converted ? "capw_converted_tag" : "capw_upgraded_tag") + "</div>" : "") + "</td><td class='num'>" + pct(r.before.covered_share) + "</td>" +
      // an upgrade's shares are of people its capacity serves, the others' of demand covered by distance:
      // the two measures sit in one column, so the upgrade's says which it is
      "<td class='num'><b>" + pct(r.after.covered_share) + "</b>" +
      (r.kind === "upgrade" ? "<div class='small muted measure-tag'>" + T("list_served_share") + "</div>" : "") + "</td>" +
      // the date and the delete button share one cell (stacked): an eighth column did not fit the
      // half-width card at 1100 px
      // Delete only where the server allows it (CP.mayManage, web/auth.py): not on a colleague's city-wide
      // proposal in a county planner's list
      "<td class='small created'>" + esc(CP.datetime(r.created)) + (CP.mayManage && !CP.mayManage(r) ? "" :
      "<div class='row-actions'><button class='danger del' type='button' data-id='" + esc(r.id) + "'>" + T("delete") + "</button></div>") + "</td></tr>";
  }

  // Where and on which data a row was solved: a county proposal's 56.1% → 75.2% read as a city-wide
  // figure beside the city's, and v0's 39.9% beside v3's 18.2% (QA 20). A row solved on data older than
  // the current is marked so (its page offers to solve it again on the current data).
  function scopeCell(r) {
    var scope = r.scope || {}, v = r.data_version == null ? null : r.data_version;
    var name = scope.name || (scope.county ? scope.county : T("scope_city"));
    var html = "<td class='scope-data' data-scope='" + esc(scope.county || "") + "' data-version='" + esc(v == null ? "" : v) + "'>" +
      "<span class='scope-name" + (scope.county ? " county" : "") + "'>" + esc(name) + "</span>";
    if (v != null) {
      html += "<div class='small muted data-v'>" + esc(T("data_version_short")) + " v" + esc(v) + "</div>";
      if (r.outdated) {
        var cur = document.getElementById("data-version");
        html += "<div class='outdated-tag' title='" + esc(T("list_outdated_tip").replace("{v}", v)
          .replace("{cur}", cur ? cur.dataset.v : "")) + "'>" + esc(T("list_outdated")) + "</div>";
      }
    }
    return html + "</td>";
  }

  function renderSaved() {
    var county = $("f-county").value, type = $("f-ptype").value;
    var rows = allRows.filter(function (r) {
      return (!county || (r.counties || []).indexOf(county) >= 0) && (!type || r.type === type);
    });
    $("saved").querySelector("tbody").innerHTML = rows.map(rowHtml).join("") ||
      "<tr><td colspan='8' class='muted'>" + T(allRows.length ? "no_match" : "no_proposals") + "</td></tr>";
    $("saved").dataset.rows = String(rows.length);
    document.querySelectorAll(".pick").forEach(function (c) { c.addEventListener("change", syncCompare); });
    document.querySelectorAll(".del").forEach(function (b) {
      b.addEventListener("click", function () {
        if (!confirm(T("delete_confirm"))) return;
        // a refusal (403, already deleted...) is said, not left as an uncaught error in the console
        api("/api/proposals/" + encodeURIComponent(b.dataset.id) + "?lang=" + C.lang, {method: "DELETE"}).then(loadSaved)
          .catch(function (e) { alert((e && (e.message || e.error)) || T("load_failed")); loadSaved(); });
      });
    });
    syncCompare();
  }

  function loadSaved() {
    return api("/api/proposals?lang=" + C.lang).then(function (rows) {
      allRows = rows;
      renderSaved();
    }).catch(function (e) {
      $("saved").querySelector("tbody").innerHTML = "<tr><td colspan='8' class='error-box'>" +
        esc((e && e.message) || T("load_failed")) + "</td></tr>";
      $("saved").dataset.rows = "error";
    });
  }

  function picked() { return Array.prototype.slice.call(document.querySelectorAll(".pick:checked")); }
  function syncCompare() {
    var p = picked();
    var same = p.length === 2 && p[0].dataset.type === p[1].dataset.type;
    // an upgrade's numbers are demand served by capacity: the compare page refuses it, so the button does too
    var upgrade = p.some(function (x) { return x.dataset.kind === "upgrade"; });
    $("compare").disabled = !same || upgrade;
    $("compare-hint").textContent = upgrade ? T("compare_no_upgrade")
      : p.length === 2 && !same ? T("compare_same_type") : T("compare_pick");
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("p-type").addEventListener("change", syncForm);
    $("p-convert").addEventListener("change", syncForm);
    $("p-model").addEventListener("change", syncForm);
    $("p-kind").addEventListener("change", syncForm);
    syncForm();
    $("p-submit").addEventListener("click", function () { if (formValid()) start(formBody()); });
    FIELDS.forEach(function (k) {  // a corrected field clears its own complaint
      $("p-" + k).addEventListener("input", function (e) { e.target.setCustomValidity(""); });
    });
    $("job-retry").addEventListener("click", function () { if (lastBody) start(lastBody); });
    $("job-cancel").addEventListener("click", function () {
      if (current) api("/api/jobs/" + current + "/cancel?lang=" + C.lang, {method: "POST"}).then(showJob).catch(function () {});
    });
    $("compare").addEventListener("click", function () {
      var p = picked();
      if (p.length === 2) location.href = "/proposals/compare?a=" + encodeURIComponent(p[0].value) + "&b=" + encodeURIComponent(p[1].value);
    });
    $("f-county").addEventListener("change", renderSaved);
    $("f-ptype").addEventListener("change", renderSaved);
    loadSaved();
    resume();
  });
})();
