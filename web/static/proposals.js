/* Proposal form: start a background solve, poll its job, allow cancel; list and compare saved proposals. */
(function () {
  "use strict";
  var C = CP.C, T = CP.T, esc = CP.esc, pct = CP.pct, api = CP.json;
  var $ = function (id) { return document.getElementById(id); };
  var current = null, timer = null;

  function syncForm() {
    var o = $("p-type").selectedOptions[0];
    $("p-p").placeholder = o.dataset.p;
    $("standard-hint").textContent = T("standard_hint") + " (" + o.dataset.standard + ")";
  }

  function showJob(job) {
    $("job").hidden = false;
    $("job").dataset.state = job.state;
    $("job-state").textContent = T("job_" + job.state);
    $("job-message").textContent = job.message || "";
    $("job-bar").style.width = (100 * (job.progress || 0)).toFixed(0) + "%";
    $("job-cancel").hidden = !(job.state === "queued" || job.state === "running");
    if (job.state === "failed" && job.error) {
      $("job-error").hidden = false;
      $("job-error").textContent = job.error.message || job.error.error;
    }
  }

  function poll() {
    if (!current) return;
    api("/api/jobs/" + current + "?lang=" + C.lang).then(function (job) {
      showJob(job);
      if (job.state === "done" && job.result) { location.href = job.result.url; return; }
      if (job.state === "queued" || job.state === "running") timer = setTimeout(poll, 400);
      else { $("p-submit").disabled = false; loadSaved(); }
    }).catch(function () { timer = setTimeout(poll, 1500); });
  }

  function submit() {
    var body = {};
    ["type", "model", "p", "standard", "mode", "name"].forEach(function (k) {
      var v = $("p-" + k).value;
      if (v !== "") body[k] = v;
    });
    $("p-submit").disabled = true;
    $("job-error").hidden = true;
    api("/api/proposals?lang=" + C.lang, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (job) { current = job.id; showJob(job); poll(); })
      .catch(function (e) {
        $("p-submit").disabled = false;
        $("job").hidden = false; $("job-state").textContent = T("job_failed"); $("job-cancel").hidden = true;
        $("job-error").hidden = false; $("job-error").textContent = e.message || T("load_failed");
      });
  }

  function loadSaved() {
    api("/api/proposals?lang=" + C.lang).then(function (rows) {
      var h = rows.map(function (r) {
        return "<tr data-id='" + esc(r.id) + "'><td><input type='checkbox' class='pick' value='" + esc(r.id) + "'></td>" +
          "<td><a href='/proposals/" + esc(r.id) + "'>" + esc(r.name) + "</a></td><td>" + esc(r.type_name || r.type) + "</td>" +
          "<td class='num'>" + esc(r.n_sites) + "</td><td class='num'>" + pct(r.before.covered_share) + "</td>" +
          "<td class='num'><b>" + pct(r.after.covered_share) + "</b></td>" +
          "<td class='small'>" + new Date(r.created * 1000).toLocaleString(C.lang === "en" ? "en-GB" : "zh-CN") + "</td>" +
          "<td><button class='danger del' type='button' data-id='" + esc(r.id) + "'>" + T("delete") + "</button></td></tr>";
      }).join("");
      $("saved").querySelector("tbody").innerHTML = h || "<tr><td colspan='8' class='muted'>" + T("no_proposals") + "</td></tr>";
      $("saved").dataset.rows = String(rows.length);
      document.querySelectorAll(".pick").forEach(function (c) { c.addEventListener("change", syncCompare); });
      document.querySelectorAll(".del").forEach(function (b) {
        b.addEventListener("click", function () {
          if (!confirm(T("delete_confirm"))) return;
          api("/api/proposals/" + b.dataset.id, {method: "DELETE"}).then(loadSaved);
        });
      });
      syncCompare();
    });
  }

  function picked() { return Array.prototype.map.call(document.querySelectorAll(".pick:checked"), function (c) { return c.value; }); }
  function syncCompare() { $("compare").disabled = picked().length !== 2; }

  document.addEventListener("DOMContentLoaded", function () {
    $("p-type").addEventListener("change", syncForm); syncForm();
    $("p-submit").addEventListener("click", submit);
    $("job-cancel").addEventListener("click", function () {
      if (current) api("/api/jobs/" + current + "/cancel", {method: "POST"}).then(showJob);
    });
    $("compare").addEventListener("click", function () {
      var p = picked(); if (p.length === 2) location.href = "/proposals/compare?a=" + p[0] + "&b=" + p[1];
    });
    loadSaved();
  });
})();
