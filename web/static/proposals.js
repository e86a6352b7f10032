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
  // when the running job's solve began, in its own elapsed seconds (see solveClock)
  var solve = {job: null, from: null, before: false};
  var FIELDS = ["type", "kind", "county", "sizes", "costs", "budget-sites", "budget-cost", "k",
                "model", "p", "standard-urban", "standard-rural", "mode", "name", "note"];
  var MAX_POLL_FAILURES = 40;  // ~1 min of an unreachable server before giving up
  var MAX_SIZES = 8;  // size classes a sized proposal may have (web/capacity_proposals.MAX_SIZES)

  function locked(el) { return el.classList.contains("cp-locked"); }

  function syncForm() {
    var o = $("p-type").selectedOptions[0], model = $("p-model").value;
    // LSCP decides the number of sites itself; "auto" on a full-coverage type
    // becomes MCLP when a number is given (the server does the same).
    // a control accounts.js locked (a viewer's form) stays locked whatever the model (QA 30: a viewer's number
    // of sites was editable again after this ran)
    $("p-p").disabled = model === "lscp" || locked($("p-p"));
    if (model === "lscp") $("p-p").value = "";
    // at most the candidate sites that may be chosen (not existing, not forbidden), in the county picked
    // (pages._form_limits): p = 4,999 was queued and failed after the click with 101 candidates (QA 31)
    var pmax = o.dataset.pmax, county = $("p-county") ? $("p-county").value : "";
    try { if (county) pmax = String(JSON.parse(o.dataset.pmaxcounty || "{}")[county]); } catch (e) { /* the hint only */ }
    $("p-p").max = pmax && pmax !== "undefined" && +pmax >= 1 ? pmax : "5000";
    // left blank in a county with fewer candidates than the type's default, the server takes them all and the
    // proposal's note says so (web.proposals.default_sites): the hint says that number, not the default (QA 33)
    var known = county && pmax && pmax !== "undefined" && isFinite(+pmax), def = o.dataset.p;
    var where = county && $("p-county").selectedOptions[0] ? $("p-county").selectedOptions[0].textContent.trim() : "";
    var pHint = T("n_sites_hint_p").replace("{p}", def);
    if (known && +pmax < 1) { def = ""; pHint = T("qa33f11_hint_none").replace("{county}", where); }
    else if (known && +pmax < +def) {
      pHint = T(+pmax === 1 ? "qa33f11_hint_county_one" : "qa33f11_hint_county").replace(/\{p\}/g, pmax)
        .replace("{county}", where).replace("{default}", def);
      def = pmax;
    }
    $("p-p").placeholder = model === "lscp" ? "" : def;
    $("p-hint").textContent = model === "lscp" ? T("n_sites_lscp") :
      (model === "auto" && o.dataset.model === "lscp") ? T("n_sites_auto_lscp") : pHint;
    $("p-standard-urban").placeholder = o.dataset.urban;
    $("p-standard-rural").placeholder = o.dataset.rural;
    // what the server takes, in the type's unit (1-600 minutes, 100-300,000 metres: pages._form_limits):
    // 0 and 100,000 minutes were let through and refused only after the click (QA 21)
    ["p-standard-urban", "p-standard-rural"].forEach(function (id) {
      $(id).min = o.dataset.stdmin || "";
      $(id).max = o.dataset.stdmax || "";
    });
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
    var kind = $("p-kind"), typeName = o.textContent.trim();
    // a kind the type cannot have is greyed out and says why, on the option and under the field (QA 33: 10 of 12
    // types greyed "改造提升现有设施" out without a word)
    var why = {sized: o.dataset.sizes ? "" : T("qa33f16_no_sizes"), upgrade: o.dataset.upgrade ? "" : T("qa33f16_no_upgrade")};
    ["sized", "upgrade"].forEach(function (k) {
      var opt = kind.querySelector("option[value='" + k + "']");
      why[k] = why[k].replace("{kind}", opt.textContent.trim()).replace("{type}", typeName);
      opt.disabled = !!why[k];
      opt.title = why[k];
    });
    var kindHint = $("kind-hint");
    if (!kindHint) {
      kindHint = document.createElement("span");
      kindHint.className = "hint";
      kindHint.id = "kind-hint";
      kind.insertAdjacentElement("afterend", kindHint);
    }
    kindHint.textContent = [why.upgrade, why.sized].filter(Boolean).join(C.lang === "en" ? " " : "");
    kindHint.hidden = !kindHint.textContent;
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
      $("p-convert").disabled = o.dataset.upgrade === "convert" || locked($("p-convert"));
      if (o.dataset.upgrade === "convert") $("p-convert").checked = true;
      // the server's default K: the plan's target for an upgrade, or for a conversion (8 welfare homes, not 5)
      var conv = $("p-convert").checked, k = conv && o.dataset.kconvert ? o.dataset.kconvert : o.dataset.k;
      // ... and at most the facilities there are to choose from (within the per-county limits)
      var most = (conv ? o.dataset.kmaxconvert : o.dataset.kmax) || o.dataset.kmax || "500";
      // a county picked (or a county planner's own): its facilities within its limit (2 welfare homes in 房县),
      // and the default K no more: the default 5 was refused there after the click
      var county = $("p-county").value, inCounty = null;
      try { inCounty = county ? JSON.parse((conv ? o.dataset.kmaxconvertcounty : o.dataset.kmaxcounty) || "{}")[county] : null; }
      catch (e) { inCounty = null; }
      $("p-k").dataset.clipped = "";
      if (inCounty != null) {
        most = String(inCounty);
        if (+k > inCounty) { k = most; $("p-k").dataset.clipped = most; }
      }
      $("p-k").placeholder = k;
      $("p-k").max = most;
      kHint(o, conv, county, inCounty, most);
    }
    budgetMin(o);
  }

  // The per-county limits of upgrades and conversions by type ({key: {upgrade, convert}}, as /api/types says them),
  // in the page (pages.proposals): K's hint names them from the first paint, with no request to wait for (QA 34)
  var kLimits = (function () {
    try { return JSON.parse(($("p-klimits") || {}).textContent || "{}") || {}; }
    catch (e) { return {}; }  // the hint without the limit; the server still checks
  })();

  // K's hint, and its refusal above the most (formValid), name the limit: the plan's per-county limit, or the
  // facilities there are (QA 33: K = 3 welfare homes in 郧西县 got only "不能大于 2。", not "每县上限 2")
  function kHint(o, conv, county, inCounty, most) {
    var el = $("k-hint");
    if (!el) {
      el = document.createElement("span");
      el.className = "hint";
      el.id = "k-hint";
      $("p-k").parentNode.appendChild(el);
    }
    var cap = (kLimits[o.value] || {})[conv ? "convert" : "upgrade"] || null;
    var where = county && $("p-county").selectedOptions[0] ? $("p-county").selectedOptions[0].textContent.trim() : "";
    // a type the limits do not list: the browser's own words, which limit holds is not guessed
    var key = !kLimits[o.value] ? "" : county && inCounty == null ? "qa33f16_k_none"
      : county ? (cap && +inCounty >= cap ? "qa33f16_k_cap" : cap ? "qa33f16_k_county" : "qa33f16_k_county_free")
      : o.dataset.kmax ? (cap ? "qa33f16_k_city" : "qa33f16_k_city_free") : "";
    var say = function (k) {
      return k ? T(k).replace(/\{n\}/g, most).replace(/\{cap\}/g, cap).replace("{county}", where)
        .replace("{what}", T(conv ? "qa33f16_what_convert" : "qa33f16_what_upgrade")) : "";
    };
    el.textContent = say(key);
    el.hidden = !el.textContent;
    // the refusal above the most says the limit, where it comes from and what to type: a county's (the case met),
    // and the city's (QA 34: the city's kept the browser's bare "不能大于 N")
    var bad = {qa33f16_k_city: "qa34f3_k_city_bad", qa33f16_k_city_free: "qa34f3_k_city_free_bad"};
    $("p-k").dataset.toolarge = !key || key === "qa33f16_k_none" ? "" : say(bad[key] || key + "_bad");
  }

  // "30,60,100" as the server reads it (web/capacity_proposals._numbers: also Chinese commas, full-width
  // digits): the numbers, null when left blank, or false when one is not a number above 0
  function numbers(text) {
    text = String(text || "").replace(/[\uff10-\uff19\uff0e]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); });
    if (!text.trim()) return null;
    var out = text.split(/[,，、]/).map(function (x) {
      x = x.trim().replace(/(\d)_(?=\d)/g, "$1");
      var v = x === "" ? NaN : Number(x);
      return isFinite(v) && v > 0 ? v : NaN;
    });
    return out.some(isNaN) ? false : out;
  }

  // The sizes and their costs the server would solve with (planner.sizing.size_costs: the type's costs
  // interpolated between its classes, at the unit cost of the nearest class outside them); null while
  // either field cannot be read (that field says why).
  function sizedCosts(o) {
    var sizes = numbers($("p-sizes").value), costs = numbers($("p-costs").value);
    if (sizes === false || costs === false) return null;
    var xs = numbers(o.dataset.sizes) || [], ys = numbers(o.dataset.costs) || [];
    if (costs) {  // each cost with its size, sorted together (planner.sizing.sized_classes); a size twice: none
      if (!sizes || costs.length !== sizes.length || dupe(sizes) !== null) return null;
      var pairs = sizes.map(function (v, i) { return [v, costs[i]]; }).sort(function (a, b) { return a[0] - b[0]; });
      return {sizes: pairs.map(function (q) { return q[0]; }), costs: pairs.map(function (q) { return q[1]; })};
    }
    sizes = (sizes || xs).filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(function (a, b) { return a - b; });
    if (!xs.length || xs.length !== ys.length) return null;
    return {sizes: sizes, costs: sizes.map(function (v) {
      if (v <= xs[0]) return ys[0] * v / xs[0];
      if (v >= xs[xs.length - 1]) return ys[ys.length - 1] * v / xs[xs.length - 1];
      for (var i = 1; i < xs.length; i++) {
        if (v <= xs[i]) return ys[i - 1] + (ys[i] - ys[i - 1]) * (v - xs[i - 1]) / (xs[i] - xs[i - 1]);
      }
      return ys[ys.length - 1];
    })};
  }

  // A budget below one site's cost is refused by the server: the field's minimum is the cheapest size's cost.
  function budgetMin(o) {
    var sc = sizedCosts(o || $("p-type").selectedOptions[0]), el = $("p-budget-cost");
    if (!sc) { el.min = "0.01"; delete el.dataset.size; return; }
    var i = sc.costs.indexOf(Math.min.apply(null, sc.costs));
    el.min = String(Math.ceil(sc.costs[i] * 100) / 100);
    el.dataset.size = String(sc.sizes[i]);
  }

  // What the text fields of sizes and costs hold that the server refuses, in the page's words ("" if nothing).
  function textProblem(k, o) {
    if (k !== "sizes" && k !== "costs") return "";
    var sizes = numbers($("p-sizes").value), max = +o.dataset.sizemax || Infinity;
    if (k === "sizes") {
      if (sizes === false || (sizes && sizes.length > MAX_SIZES)) return T("form_sizes_bad").replace("{n}", MAX_SIZES);
      var big = (sizes || []).filter(function (v) { return v > max; })[0];
      return big ? T("form_size_too_big").replace("{value}", CP.fmt(big, 2)).replace("{max}", CP.fmt(max, 2))
        .replace("{unit}", o.dataset.capunit || "") : "";
    }
    var costs = numbers($("p-costs").value);
    if (costs === false) return T("form_costs_bad");
    if (!costs || sizes === false) return "";
    // with costs the server counts the sizes as typed, each once (planner.sizing.sized_classes)
    if (sizes && dupe(sizes) !== null) return T("form_size_twice").replace("{value}", CP.fmt(dupe(sizes), 2));
    var n = (sizes || numbers(o.dataset.sizes) || []).length;
    return costs.length !== n ? T("form_costs_count").replace("{n}", n) : "";
  }

  // The first size given twice, or null.
  function dupe(sizes) {
    for (var i = 0; i < sizes.length; i++) if (sizes.indexOf(sizes[i]) !== i) return sizes[i];
    return null;
  }

  function setBusy(busy) {
    $("p-submit").disabled = busy || locked($("p-submit"));
    $("job-cancel").hidden = !busy;
  }

  function showJob(job) {
    $("job").hidden = false;
    $("job").dataset.state = job.state;
    var label = T("job_" + job.state);
    if (job.state === "queued" && job.ahead > 0) label += " · " + T("jobs_ahead").replace("{n}", job.ahead);
    $("job-state").textContent = label;
    var clock = solveClock(job), progress = job.progress || 0;
    // an ended job's message says what its state does ("done", "cancelled"): shown once, not twice
    // (a stop-and-save that came before any plan says so: nothing was saved)
    var said = job.state === "done" || (job.state === "cancelled" && !job.keep_requested) ? "" : (job.message || "");
    $("job-message").textContent = said + (clock ? " · " + clock.text : "");
    // a sized or upgrade run reports nothing between the start of its MIP (20%) and its end (85%): the bar
    // moves with the time used of the limit instead of sitting at 20% for a minute (QA 21)
    if (clock && job.params && (job.params.kind === "sized" || job.params.kind === "upgrade") && progress < 0.85) {
      progress += (0.85 - progress) * clock.share;
    }
    $("job-bar").style.width = (100 * progress).toFixed(0) + "%";
    var active = job.state === "queued" || job.state === "running";
    if (!active) $("job-shared").hidden = true;
    setBusy(active);
    // "stop and save": while a sized or upgrade MIP runs (job.finish is offered), not once a stop was asked
    $("job-finish").hidden = !(job.finish && job.state === "running" && !job.cancel_requested &&
                               /^(solving|求解)/.test(job.message || ""));
    $("job-retry").hidden = !(job.state === "interrupted" || job.state === "failed" || job.state === "lost");
    if ((job.state === "failed" || job.state === "interrupted") && (job.error || job.message)) {
      $("job-error").hidden = false;
      $("job-error").textContent = job.error ? (job.error.message || job.error.error) : job.message;
    } else if (active) {
      $("job-error").hidden = true;
    }
  }

  // The seconds a running solve has taken of its time limit ("23 s of at most 60 s"), or null outside a
  // solve. The job says the seconds in its present stage (stage_elapsed) and the limit it was given
  // (params.time_limit, capped by the server); from a server without stage_elapsed, the solve began at the
  // job's elapsed at the first answer that reports the solve after one that did not. The time shown never
  // passes the limit.
  function solveClock(job) {
    var limit = job.params && +job.params.time_limit;
    var solving = job.state === "running" && !job.cancel_requested && /^(solving|求解)/.test(job.message || "");
    if (solve.job !== job.id) solve = {job: job.id, from: null, before: false};
    if (!solving || !(limit > 0) || job.elapsed == null) {
      if (job.state === "queued" || job.state === "running") solve.before = !solving;
      solve.from = solving ? solve.from : null;
      return null;
    }
    if (solve.from == null) solve.from = solve.before ? +job.elapsed : 0;
    var used = Math.min(Math.max(0, job.stage_elapsed != null ? +job.stage_elapsed : job.elapsed - solve.from), limit);
    return {share: used / limit, text: T("job_solve_clock").replace("{s}", CP.fmt(Math.floor(used)))
      .replace("{limit}", CP.fmt(limit, 1))};
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
    var o = $("p-type").selectedOptions[0];
    budgetMin(o);
    return FIELDS.every(function (k) {
      var el = $("p-" + k);
      if (el.closest("[hidden]") || el.disabled || !el.willValidate) return true;
      var v = el.validity, bound = function (x) { return CP.fmt(+x, 2); };
      el.setCustomValidity(v.badInput ? T("form_not_a_number") :
        v.rangeUnderflow && k === "budget-cost" && el.dataset.size ?
          T("form_budget_min").replace("{cost}", bound(el.min)).replace("{size}", bound(el.dataset.size)) :
        v.rangeUnderflow ? T("form_too_small").replace("{min}", bound(el.min)) :
        v.rangeOverflow && el.dataset.toolarge ? el.dataset.toolarge :  // K: the limit named (kHint)
        v.rangeOverflow ? T("form_too_large").replace("{max}", bound(el.max)) :
        v.stepMismatch ? T("form_whole_number") : textProblem(k, o));
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
    // K left blank in a county with fewer to choose than the type's default: the number the field shows
    if (body.kind === "upgrade" && body.k === undefined && $("p-k").dataset.clipped) body.k = $("p-k").dataset.clipped;
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
    resumeInterrupted(saved && saved.id);  // the one followed here is in the panel above, not twice
    if (!saved || !saved.id) return;
    current = saved.id; lastBody = saved.body;
    $("job").hidden = false;
    poll();
  }

  // The calculations of this user that a server restart cut off, seen from a new tab or browser: the server lists
  // them as "interrupted" (GET /api/jobs, to whom started it, for a day), each shown with its start, what it was,
  // Retry (its parameters) and Dismiss (QA 27: the list was empty and the panel showed nothing). Dismiss is kept
  // on the server (POST /api/jobs/<id>/dismiss), not in this browser: the job came back on another PC (QA 28).
  var OLD_DISMISSED = "coverplan-dismissed-jobs";
  function dismissJob(id) {
    return api("/api/jobs/" + encodeURIComponent(id) + "/dismiss?lang=" + C.lang, {method: "POST"});
  }
  // what an older page kept in this browser is said to the server once (then it holds everywhere)
  function forwardOldDismissals() {
    var old = [];
    try { old = JSON.parse(localStorage.getItem(OLD_DISMISSED) || "[]") || []; localStorage.removeItem(OLD_DISMISSED); }
    catch (e) { old = []; }
    return Promise.all(old.map(function (id) { return dismissJob(id).catch(function () { /* gone, or not his */ }); }));
  }

  // The form's fields from a job's parameters (web/proposals.py PROPOSAL_FIELDS), to start it again.
  function bodyOf(p) {
    var body = {type: p.type}, kind = p.kind || "location";
    if (kind !== "location") body.kind = kind;
    ["mode", "time_limit", "note", "county"].forEach(function (k) { if (p[k] != null && p[k] !== "") body[k] = p[k]; });
    if (p.name && !p.auto_name) body.name = p.name;  // a name the app made is made again
    if (kind === "location") {
      if (p.model) body.model = p.model;
      if (p.p != null && p.model_effective !== "lscp") body.p = p.p;
      if (p.standard && p.standard.urban != null) { body.standard_urban = p.standard.urban; body.standard_rural = p.standard.rural; }
    } else if (kind === "sized") {
      ["sizes", "costs", "budget_sites", "budget_cost"].forEach(function (k) { if (p[k] != null) body[k] = p[k]; });
    } else {
      if (p.k != null) body.k = p.k;
      if (p.convert) body.convert = true;
    }
    return body;
  }

  // One interrupted job of the list: what it was (type, kind, name), when it started, that a restart cut it off
  // (and how long it had run at least, when known: its elapsed ends at the last time the server knew it ran).
  function restoredHtml(job) {
    var p = job.params || {}, kind = p.kind || "location";
    var opt = Array.prototype.filter.call($("p-type").options, function (o) { return o.value === p.type; })[0];
    var what = [opt ? opt.textContent : (p.type || ""), T("capw_kind_" + kind)];
    if (p.name) what.push(p.name);
    var when = [T("job_restored_started").replace("{time}", CP.datetime(job.started || job.created, true)),
                T("job_restored_cut")];
    if (job.started && job.elapsed >= 1) when.push(T("job_restored_ran").replace("{s}", CP.fmt(Math.floor(job.elapsed))));
    return "<li data-id='" + esc(job.id) + "'><div class='restored-what'>" + esc(what.join(" · ")) + "</div>" +
      "<div class='small muted restored-when'>" + esc(when.join(" · ")) + "</div>" +
      "<button type='button' class='restored-retry'>" + esc(T("retry")) + "</button> " +
      "<button type='button' class='secondary restored-dismiss'>" + esc(T("job_dismiss")) + "</button>" +
      "<div class='error-box restored-error' hidden></div></li>";
  }

  function dropRestored(li) {
    li.remove();
    if (!$("jobs-restored-list").children.length) $("jobs-restored").hidden = true;
  }

  function resumeInterrupted(except) {
    forwardOldDismissals().then(function () { return api("/api/jobs?lang=" + C.lang); }).then(function (jobs) {
      var cut = (jobs || []).filter(function (j) {
        return j.kind === "proposal" && j.state === "interrupted" && !j.dismissed && j.id !== except;
      });
      $("jobs-restored-list").innerHTML = cut.map(restoredHtml).join("");
      $("jobs-restored").hidden = !cut.length;
      var items = $("jobs-restored-list").children;
      cut.forEach(function (job, i) {
        var li = items[i], fail = function (e) {
          var box = li.querySelector(".restored-error");
          box.hidden = false;
          box.textContent = T("job_dismiss_failed").replace("{why}", (e && (e.message || e.error)) || T("load_failed"));
        };
        li.querySelector(".restored-retry").addEventListener("click", function () {
          start(bodyOf(job.params || {}), job.id);
        });
        li.querySelector(".restored-dismiss").addEventListener("click", function () {
          dismissJob(job.id).then(function () { dropRestored(li); }).catch(fail);
        });
      });
    }).catch(function () { /* nothing to show */ });
  }

  // ``replaces``: the id of an interrupted job this starts again (it leaves the list once the new one is taken)
  function start(body, replaces) {
    lastBody = body;
    clearTimeout(timer);
    setBusy(true);
    $("job-error").hidden = true;
    $("job-retry").hidden = true;
    api("/api/proposals?lang=" + C.lang, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (job) {
        // the same request made a minute ago (a second click, another tab): the server answers with that proposal and
        // saves no copy; said here with its link, rather than opening it as if it were new (QA 35)
        if (job.reused === "proposal" && job.proposal_id) {
          setBusy(false);
          $("job-shared").hidden = true;
          $("job").hidden = false; $("job").dataset.state = "done";
          $("job-state").textContent = T("job_done");
          $("job-bar").style.width = "100%";
          $("job-message").innerHTML = esc(job.reused_text || "") + " <a id='job-reused' href='/proposals/" +
            encodeURIComponent(job.proposal_id) + "?lang=" + C.lang + "'>" + esc(T("qa35l_open_reused")) + "</a>";
          loadSaved();
          return;
        }
        // the same request already being solved (another tab, a second click): its job, said so, since a cancel
        // here stops it for the other too (review of QA 35)
        $("job-shared").hidden = job.reused !== "job";
        $("job-shared").textContent = job.reused === "job" ? (job.reused_text || "") + " " + T("qa36l_shared_cancel") : "";
        current = job.id; failures = 0; remember(job.id, body); showJob(job); poll();
        if (replaces) {
          dismissJob(replaces).catch(function () { /* listed until dismissed by hand */ });
          Array.prototype.filter.call($("jobs-restored-list").children, function (li) { return li.dataset.id === replaces; })
            .forEach(dropRestored);
        }
        $("job").scrollIntoView({block: "nearest"});  // at 1366x768 the progress sat under the fold (QA 21)
      })
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
    // the planner's note as he typed it, and the app's notes (web.proposals.notes_view; a server before them: ``note``)
    var own = r.planner_note != null ? r.planner_note : r.note, auto = r.auto_notes || [];
    // a generated name breaks after its slashes first ("Community/<wbr>village"), not inside a word
    var name = "<a href='/proposals/" + encodeURIComponent(r.id) + "'>" + esc(r.name).replace(/\//g, "/<wbr>") + "</a>" +
      (own ? "<div class='small muted'>" + esc(own) + "</div>" : "") +
      // how its numbers were set, written by the app in the page's language, apart from the planner's note (QA 33)
      (auto.length ? "<div class='small muted auto-notes' title='" + esc(T("qa33f12_auto_notes_tip")) + "'>" +
        esc(T("brief_notes") + (C.lang === "en" ? ": " : "：") + auto.join(C.lang === "en" ? " " : "")) + "</div>" : "");
    if (r.damaged) name = esc(r.name) + " <span class='st st-not_met'>" + T("damaged") + "</span>";
    return "<tr data-id='" + esc(r.id) + "' data-type='" + esc(r.type) + "'" + (r.outdated ? " class='outdated'" : "") + ">" +
      "<td>" + (r.damaged ? "" : "<input type='checkbox' class='pick' value='" + esc(r.id) + "' data-type='" + esc(r.type) +
        "' data-kind='" + esc(r.kind || "location") + "'>") + "</td>" +
      // a conversion's type as its page and offline map name it: 农村福利院 → 区域性特困供养服务中心（转型） (QA 34)
      "<td>" + name + "</td><td>" + esc(r.type_label || r.type_name || r.type).replace(/\//g, "/<wbr>") + "</td>" +
      scopeCell(r) +
      // every count with its separators, as the other figures ("1,337", not "1337")
      "<td class='num'>" + CP.fmt(r.n_sites) + (r.kind === "upgrade" ?
        "<div class='small muted kind-tag'>" + T(r.converted ? "capw_converted_tag" : "capw_upgraded_tag") + "</div>" : "") + "</td><td class='num'>" + pct(r.before.covered_share) + "</td>" +
      // an upgrade's shares are of people its capacity serves, the others' of demand covered by distance:
      // the two measures sit in one column, so the upgrade's says which it is
      "<td class='num'><b>" + pct(r.after.covered_share) + "</b>" +
      // (a conversion's: the share the converted facilities serve as the type they become, whose name it says)
      (r.kind === "upgrade" ? "<div class='small muted measure-tag'>" + esc(r.converted && r.role_name
        ? T("qa34f14_list_served_role").replace("{role}", r.role_name) : T("list_served_share")) + "</div>" : "") + "</td>" +
      // the date and the delete button share one cell (stacked): an eighth column did not fit the
      // half-width card at 1100 px
      // Delete only where the server allows it (CP.mayManage, web/auth.py): not on a colleague's city-wide
      // proposal in a county planner's list
      // when, and who made it, by name (QA 27: refusals say "only its author" and the list named none; under the
      // date, as a ninth column pushed the list past its card at 1,100 px)
      "<td class='small created'>" + esc(CP.datetime(r.created)) +
      "<div class='owner muted'>" + esc(r.owner_name || T("proposal_owner_unknown")) + "</div>" + (CP.mayManage && !CP.mayManage(r) ? "" :
      "<div class='row-actions'><button class='danger del' type='button' data-id='" + esc(r.id) + "'>" + T("delete") + "</button></div>") + "</td></tr>";
  }

  // Where and on which data a row was solved: a county proposal's 56.1% → 75.2% read as a city-wide
  // figure beside the city's, and v0's 39.9% beside v3's 18.2% (QA 20). A row whose data changed since it was
  // solved is marked so, naming what changed (its page offers to solve it again on the current data); one on an
  // older version whose changes since are in data it does not use says so calmly, as /plan does (QA 32:
  // ``data_changed``, ``data_note`` of /api/proposals).
  function scopeCell(r) {
    var scope = r.scope || {}, v = r.data_version == null ? null : r.data_version;
    var name = scope.name || (scope.county ? scope.county : T("scope_city"));
    var html = "<td class='scope-data' data-scope='" + esc(scope.county || "") + "' data-version='" + esc(v == null ? "" : v) + "'>" +
      "<span class='scope-name" + (scope.county ? " county" : "") + "'>" + esc(name) + "</span>";
    if (v != null) {
      html += "<div class='small muted data-v'>" + esc(T("data_version_short")) + " v" + esc(v) + "</div>";
      if (r.outdated) {
        var cur = document.getElementById("data-version");
        var changed = r.data_changed || [];
        html += "<div class='outdated-tag' title='" + esc(T("list_outdated_tip").replace("{v}", v)
          .replace("{cur}", cur ? cur.dataset.v : "") +
          (changed.length ? " · " + T("qa32fe_changed").replace("{layers}", changed.join(C.lang === "en" ? ", " : "、")) : "")) +
          "'>" + esc(T("list_outdated")) + "</div>";
      } else if (r.data_note) {
        html += "<div class='small muted data-unchanged' title='" + esc(r.data_note) + "'>" +
          esc(T("qa32fe_unaffected_short")) + "</div>";
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
    // the hint follows the ticks: "tick two" stayed beside two ticked proposals (QA 21)
    $("compare-hint").textContent = upgrade ? T("compare_no_upgrade")
      : p.length === 2 && !same ? T("compare_same_type")
      : p.length === 2 ? T("compare_ready")
      : p.length === 1 ? T("compare_one_more")
      : p.length > 2 ? T("compare_too_many") : T("compare_pick");
    $("compare-hint").dataset.picked = String(p.length);
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("p-type").addEventListener("change", syncForm);
    $("p-convert").addEventListener("change", syncForm);
    $("p-model").addEventListener("change", syncForm);
    $("p-kind").addEventListener("change", syncForm);
    $("p-county").addEventListener("change", syncForm);
    syncForm();
    $("p-submit").addEventListener("click", function () { if (formValid()) start(formBody()); });
    FIELDS.forEach(function (k) {  // a corrected field clears its own complaint
      $("p-" + k).addEventListener("input", function (e) { e.target.setCustomValidity(""); });
    });
    $("job-retry").addEventListener("click", function () { if (lastBody) start(lastBody); });
    // a refusal is said (409: already saving, too late to stop; QA 31), not swallowed: the next poll shows the end
    var refusedStop = function (e) {
      if (!e || !e.message) return;
      $("job-error").hidden = false;
      $("job-error").textContent = e.message;
    };
    $("job-cancel").addEventListener("click", function () {
      if (current) api("/api/jobs/" + current + "/cancel?lang=" + C.lang, {method: "POST"}).then(showJob).catch(refusedStop);
    });
    $("job-finish").addEventListener("click", function () {
      if (current) api("/api/jobs/" + current + "/finish?lang=" + C.lang, {method: "POST"}).then(showJob).catch(refusedStop);
    });
    $("compare").addEventListener("click", function () {
      var p = picked();
      if (p.length !== 2) return;
      // the older as A: the change column (B − A) then reads newer − older, whichever was ticked first
      var when = function (c) { var r = allRows.filter(function (x) { return x.id === c.value; })[0]; return r ? +r.created : 0; };
      if (when(p[0]) > when(p[1])) p = [p[1], p[0]];
      location.href = "/proposals/compare?a=" + encodeURIComponent(p[0].value) + "&b=" + encodeURIComponent(p[1].value);
    });
    $("f-county").addEventListener("change", renderSaved);
    $("f-ptype").addEventListener("change", renderSaved);
    loadSaved();
    resume();
  });
})();
