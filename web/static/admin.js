/* The admin page: accounts (add, role and county, disable, reset password) and the audit log.
 * Everything goes through /api/admin/... (web/auth.py); every value from the
 * database is escaped (CP.esc) before it becomes HTML. */
(function () {
  "use strict";
  var CP = window.CP, T = CP.T, esc = CP.esc;
  var data = JSON.parse(document.getElementById("admin-data").textContent);
  var PAGE = 50, offset = 0, total = 0;
  var $ = function (id) { return document.getElementById(id); };
  var say = function (el, text, bad) { el.textContent = text; el.classList.toggle("auth-error", !!bad); };
  var fail = function (el) { return function (e) { say(el, (e && e.message) || T("load_failed"), true); }; };
  // a string's {name} / {what} filled in (CP.T takes no arguments)
  var TT = function (key, params) {
    return T(key).replace(/\{(\w+)\}/g, function (m, k) { return params && k in params ? params[k] : m; });
  };
  var send = function (url, method, body) {
    return CP.json(url, {method: method, headers: {"Content-Type": "application/json"}, body: JSON.stringify(body || {})});
  };

  function options(values, chosen, label) {
    return values.map(function (v) {
      return "<option value='" + esc(v) + "'" + (v === chosen ? " selected" : "") + ">" + esc(label(v)) + "</option>";
    }).join("");
  }

  // the names come in the page's language (web/auth.py county_names); so does the bracket
  function countyLabel(c) {
    return CP.C.lang === "en" ? data.counties[c] + " (" + c + ")" : data.counties[c] + "（" + c + "）";
  }

  function countyOptions(chosen) {
    var codes = [""].concat(Object.keys(data.counties));
    return options(codes, chosen || "", function (c) { return c ? countyLabel(c) : T("whole_city"); });
  }

  // A new account's one-time password shows in the card that added it, a reset one's under the
  // table it was reset in; only the latest shows (an older one beside it would be taken for it).
  function showPassword(where, name, pw) {
    ["nu-result", "reset-result", "nu-error"].forEach(function (id) { $(id).hidden = true; $(id).textContent = ""; });
    var box = $(where);
    box.hidden = false;
    box.classList.remove("auth-error");
    box.innerHTML = esc(T("admin_onetime")) + " <b>" + esc(name) + "</b>" + (CP.C.lang === "en" ? ": " : "：") +
      "<code id='onetime'>" + esc(pw) + "</code>";
  }

  // one account's row; it keeps what it shows (data-role, data-county, data-name): a change is sent with them as
  // ``was``, and the server answers 409 when another admin changed the account since (QA 34: a stale page's 保存
  // put back his county change, and two renames at once both read "done")
  function userRow(u) {
    // each cell names its column (data-label): on a phone the rows are stacked blocks, without the header
    // Rename sits by the name it changes (in the actions' cell it widened the table past a laptop's window)
    return "<tr data-name='" + esc(u.name) + "' data-id='" + esc(u.id) + "' data-role='" + esc(u.role) +
      "' data-county='" + esc(u.county || "") + "'><td class='u-name'>" + esc(u.name) +
      " <button type='button' class='u-rename' title='" + esc(T("admin_rename")) + "'>" + esc(T("admin_rename")) +
      "</button></td>" +
      "<td data-label='" + esc(T("admin_role")) + "'><select class='u-role' aria-label='" + esc(T("admin_role")) + "'>" +
      options(data.roles, u.role, function (r) { return T("role_" + r); }) + "</select></td>" +
      "<td data-label='" + esc(T("county")) + "'><select class='u-county' aria-label='" + esc(T("county")) + "'" +
      (u.role === "planner" ? "" : " disabled") + ">" + countyOptions(u.county) + "</select></td>" +
      "<td data-label='" + esc(T("status")) + "' class='u-status'>" + esc(u.disabled ? T("admin_disabled") : (u.must_change ? T("admin_must_change") : T("admin_active"))) + "</td>" +
      "<td class='nowrap u-actions'><button type='button' class='secondary small-btn u-save'>" + esc(T("save")) + "</button> " +
      "<button type='button' class='secondary small-btn u-reset'>" + esc(T("admin_reset")) + "</button> " +
      "<button type='button' class='" + (u.disabled ? "secondary" : "danger") + " small-btn u-disable' data-disabled='" +
      (u.disabled ? "1" : "0") + "'>" + esc(u.disabled ? T("admin_enable") : T("admin_disable")) + "</button></td></tr>";
  }

  // what the page may not offer: one's own role, disable and reset; resets on a server without logins
  function guardRows() {
    // one's own row: the server refuses taking away one's own admin role or account (web/auth.py
    // admin_user_edit), which left the admin unable to open this page to undo it; another admin does it
    // by the account's id: renamed on this page, his row was no longer found by the name the page was opened with
    var mine = CP.user && $("users-table").querySelector("tr[data-id='" + CSS.escape(CP.user.id || "") + "']");
    if (mine) {
      // a reset of one's own password logged him out with a wrong reason: his own goes through 修改密码
      [[".u-role", "admin_self_role_title"], [".u-save", "admin_self_role_title"],
       [".u-disable", "admin_self_disable_title"], [".u-reset", "admin_self_reset_title"]].forEach(function (pair) {
        var c = mine.querySelector(pair[0]);
        if (c) { c.disabled = true; c.title = T(pair[1]); }
      });
    }
    // a server without logins (web/auth.py open_mode_text): no one-time password is handed out (409 OpenMode)
    if (data.open_mode) {
      $("users-table").querySelectorAll(".u-reset").forEach(function (c) {
        c.disabled = true;
        c.title = T("admin_open_title");
      });
    }
  }

  function loadUsers() {
    CP.json("/api/admin/users").then(function (rows) {
      $("users-table").querySelector("tbody").innerHTML = rows.map(userRow).join("") ||
        "<tr><td colspan='5' class='muted'>" + esc(T("none")) + "</td></tr>";
      guardRows();
    }).catch(fail($("users-status")));
  }

  // one row read again (after a 409: the account as another admin left it), the other rows' unsaved choices kept
  function reloadRow(id) {
    return CP.json("/api/admin/users").then(function (rows) {
      var u = rows.filter(function (x) { return x.id === id; })[0];
      var tr = $("users-table").querySelector("tr[data-id='" + CSS.escape(id) + "']");
      if (!u || !tr) { loadUsers(); return; }
      tr.outerHTML = userRow(u);
      guardRows();
      var fresh = $("users-table").querySelector("tr[data-id='" + CSS.escape(id) + "']");
      if (fresh) fresh.classList.add("u-reloaded");
    });
  }

  // what the row showed, sent with a change (web/users.py UserStore.checked_was)
  function shown(tr) {
    return {role: tr.dataset.role, county: tr.dataset.county || null, name: tr.dataset.name};
  }

  // a change refused because the account changed since the page showed it (409), or was renamed (404): said, and
  // the row shows the account as it is now
  // the row showed a state another admin changed (409), a name he changed (404), or a state the account already has
  // ("already disabled": 400 field): said, and the row shows the account as it is now. The message is brought into
  // view: on a phone it lies below the whole table (QA 34)
  function refused(st, tr) {
    return function (e) {
      var seen = function () { if (st.scrollIntoView) st.scrollIntoView({block: "nearest"}); };
      fail(st)(e);
      seen();
      if (e && (e.error === "EditConflict" || e.code === "unknown" || e.code === "field")) reloadRow(tr.dataset.id).then(function () {
        say(st, ((e && e.message) || "") + (CP.C.lang === "en" ? " " : "") + T("qa34f6_row_reloaded"), true);
        seen();  // the row drawn again may have moved it
      });
    };
  }

  $("users-table").addEventListener("change", function (e) {
    if (e.target.classList.contains("u-role")) {
      var county = e.target.closest("tr").querySelector(".u-county");
      county.disabled = e.target.value !== "planner";
      if (county.disabled) county.value = "";
    }
  });

  $("users-table").addEventListener("click", function (e) {
    var b = e.target.closest("button");
    if (!b) return;
    var tr = b.closest("tr"), name = tr.dataset.name, url = "/api/admin/users/" + encodeURIComponent(name);
    var st = $("users-status");
    // the result names what happened to whom ("已停用 li，其会话已结束"), not "Saved: li"
    var done = function (key) { return function () { say(st, TT(key, {name: name})); loadUsers(); loadAudit(); loadLocks(); }; };
    if (b.classList.contains("u-rename")) {
      // the account keeps its id: its proposals, role, county and sessions stay (web/users.py rename)
      var typed = window.prompt(TT("admin_rename_prompt", {name: name}), name);
      if (typed === null || typed.trim() === "" || typed.trim() === name) return;
      send(url, "PATCH", {name: typed.trim(), was: {name: name}}).then(function (r) {
        say(st, TT("admin_renamed_done", {name: name, "new": r.user.name}));
        if (CP.user && r.user.id === CP.user.id) {  // himself: the header says the new name too
          var who = document.querySelector("#account .who");
          if (who && who.firstChild && who.firstChild.nodeType === 3)
            who.firstChild.nodeValue = who.firstChild.nodeValue.replace(CP.user.name, r.user.name);
          CP.user.name = r.user.name;
        }
        loadUsers(); loadAudit();
      }).catch(refused(st, tr));
    } else if (b.classList.contains("u-save")) {
      send(url, "PATCH", {role: tr.querySelector(".u-role").value, county: tr.querySelector(".u-county").value || null,
                          was: shown(tr)})
        .then(done("admin_saved_name")).catch(refused(st, tr));
    } else if (b.classList.contains("u-disable")) {
      var disabling = b.dataset.disabled !== "1";
      // ends the person's sessions at once: asked first (one click did it, QA 27)
      if (disabling && !window.confirm(TT("admin_confirm_disable", {name: name}))) return;
      send(url, "PATCH", {disabled: disabling}).then(done(disabling ? "admin_disabled_done" : "admin_enabled_done"))
        .catch(refused(st, tr));
    } else if (b.classList.contains("u-reset")) {
      if (!window.confirm(TT("admin_confirm_reset", {name: name}))) return;
      send(url + "/reset", "POST").then(function (r) { showPassword("reset-result", name, r.password); done("admin_reset_done_name")(); })
        .catch(refused(st, tr));  // renamed meanwhile by another admin: said, and the row shows its name now
    }
  });

  $("add-user").addEventListener("submit", function () {
    var body = {name: $("nu-name").value, role: $("nu-role").value, county: $("nu-county").value || null};
    $("nu-error").hidden = true;
    // the last account's one-time password goes once another is added: left beside a refused name it
    // read as that name's password (the admin has had it since the add; a reset gives a new one)
    $("nu-result").hidden = true;
    $("nu-result").textContent = "";
    send("/api/admin/users", "POST", body).then(function (r) {
      showPassword("nu-result", r.user.name, r.password);
      say($("users-status"), "");  // an earlier reset's line would read as about this account
      $("nu-name").value = "";
      loadUsers(); loadAudit();
    }).catch(function (e) {
      $("nu-error").hidden = false;
      say($("nu-error"), (e && e.message) || T("load_failed"), true);
    });
  });
  $("nu-role").addEventListener("change", function () {
    if (data.open_mode) return;  // the whole form stays off
    $("nu-county").disabled = $("nu-role").value !== "planner";
    if ($("nu-county").disabled) $("nu-county").value = "";
  });

  // login locks and address pauses (web/auth.py admin_locks): each with a Lift button
  function left(seconds) {
    var m = Math.max(1, Math.round(seconds / 60));
    return CP.C.lang === "en" ? "about " + m + " min" : "约 " + m + " 分钟";
  }

  function loadLocks() {
    CP.json("/api/admin/locks").then(function (r) {
      $("locks-table").querySelector("tbody").innerHTML = r.locks.map(function (l) {
        return "<tr data-key='" + esc(l.key) + "' data-what='" + esc(l.what) + "'>" +
          "<td class='l-what'>" + esc(l.what) + "</td><td data-label='" + esc(T("admin_lock_kind")) + "'>" + esc(l.kind_text) + "</td>" +
          "<td data-label='" + esc(T("admin_lock_left")) + "'>" + esc(left(l.seconds)) + "</td>" +
          "<td class='nowrap'><button type='button' class='secondary small-btn l-lift'>" + esc(T("admin_lift")) + "</button></td></tr>";
      }).join("") || "<tr><td colspan='4' class='muted'>" + esc(T("none")) + "</td></tr>";
    }).catch(fail($("locks-status")));
  }

  $("locks-table").addEventListener("click", function (e) {
    var b = e.target.closest("button.l-lift");
    if (!b) return;
    var tr = b.closest("tr"), what = tr.dataset.what, st = $("locks-status");
    if (!window.confirm(TT("admin_confirm_lift", {what: what}))) return;
    send("/api/admin/locks/lift", "POST", {key: tr.dataset.key}).then(function () {
      say(st, TT("admin_lifted", {what: what})); loadLocks(); loadAudit();
    }).catch(function (err) { fail(st)(err); loadLocks(); });
  });

  function when(ts) {
    return CP.datetime(ts, true);
  }

  // A search by a facility's id: the data versions that changed it (an import, a rollback, an edit), each with
  // its own comparison with the version before it, shown here on request (QA 32: the log lists an import under
  // its file, a rollback under its version, so "who changed welfare_home-0695" found only the map's edits)
  function showFacility(f) {
    var box = $("audit-facility");
    box.hidden = !f;
    $("audit-log-title").hidden = !f;
    if (!f) { box.innerHTML = ""; return; }
    var zh = CP.C.lang !== "en";
    var params = {fid: "<code>" + esc(f.id) + "</code>", type: esc(f.type_text),
                  name: f.name ? (zh ? "，" : ", ") + esc(f.name) : "", since: esc(f.since)};
    // the template's placeholders are filled with escaped text (the template itself is ours)
    var said = function (key) { return esc(T(key)).replace(/\{(\w+)\}/g, function (m, k) { return k in params ? params[k] : m; }); };
    var h = "<h3>" + esc(T("qa32fh_title")) + "</h3>";
    // its map edits in versions a backup restore removed since: the audit log's entries below name them, so
    // "no data version has changed it" would contradict them (QA 34)
    var dropped = (f.dropped || []).map(function (d) {
      var restored = d.restored_at != null;
      return "<li data-version='" + esc(d.version) + "'>" + esc(TT(restored ? "qa34f13_fh_dropped" : "qa34f13_fh_dropped_unknown",
        {v: d.version, what: d.what || "", time: restored ? when(d.restored_at) : "", archive: d.restore_file || ""})) + "</li>";
    }).join("");
    var droppedList = dropped ? "<ul class='small' id='fv-dropped'>" + dropped + "</ul>" : "";
    if (!f.versions.length) {
      box.innerHTML = h + (dropped ? "<p class='muted' id='af-only-dropped'>" + said("qa34f13_fh_only_dropped") + "</p>" + droppedList
                                   : "<p class='muted' id='af-none'>" + said("qa32fh_none") + "</p>");
      return;
    }
    h += "<p class='small muted'>" + said("qa32fh_intro") + "</p>" +
      "<table class='data' id='facility-versions'><thead><tr><th>" + esc(T("qa32fh_version")) + "</th><th>" +
      esc(T("qa32fh_kind")) + "</th><th>" + esc(T("admin_time")) + "</th><th>" + esc(T("qa32fh_author")) + "</th><th>" +
      esc(T("qa32fh_file")) + "</th><th>" + esc(T("qa32fh_happened")) + "</th><th></th></tr></thead><tbody>";
    f.versions.forEach(function (v) {
      var cell = function (label, cls, html) {
        return "<td data-label='" + esc(T(label)) + "'" + (cls ? " class='" + cls + "'" : "") + ">" + html + "</td>";
      };
      // the Data page opened on the comparison (a link: a new tab, a copy sent on); a plain click shows it here
      var url = "/data?diff=" + encodeURIComponent(v.diff.a) + "," + encodeURIComponent(v.diff.b) + "&lang=" + CP.C.lang;
      h += "<tr data-version='" + esc(v.version) + "' class='fv-" + esc(v.kind) + "'><td class='fv-v'><b>v" + esc(v.version) + "</b></td>" +
        cell("qa32fh_kind", "", esc(v.kind_text)) + cell("admin_time", "nowrap", esc(v.created ? when(v.created) : v.created_iso || "")) +
        cell("qa32fh_author", "", esc(v.author || "–")) +
        cell("qa32fh_file", "small", esc(v.file || "")) +
        // an edit's note says what it did ("renamed ... to ..."): under what it did to the facility
        cell("qa32fh_happened", "fv-what", esc(v.happened_text) + (v.note ? "<div class='small muted fv-note'>" + esc(v.note) + "</div>" : "")) +
        "<td class='nowrap'><a class='fv-diff' href='" + esc(url) + "' data-a='" + esc(v.diff.a) + "' data-b='" + esc(v.diff.b) +
        "'>" + esc(T("qa32fh_diff")) + "</a></td></tr>";
    });
    h += "</tbody></table>" + (dropped ? "<p class='small muted'>" + said("qa34f13_fh_dropped_intro") + "</p>" + droppedList : "") +
      "<div id='fv-diff' class='explanation' hidden></div>" +
      "<p class='small'><a href='/data?lang=" + esc(CP.C.lang) + "'>" + esc(T("qa32fh_data_page")) + "</a></p>";
    box.innerHTML = h;
  }

  $("audit-facility").addEventListener("click", function (e) {
    var a = e.target.closest("a.fv-diff");
    if (!a) return;
    // Ctrl/Shift/Cmd-click: the browser opens the Data page's comparison in a new tab or window, as asked
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || e.button !== 0) return;
    e.preventDefault();  // the comparison shown here, in words, with the way to the Data page's
    var out = $("fv-diff");
    out.hidden = false;
    out.dataset.ready = "0";
    out.innerHTML = "<p class='muted'>" + esc(T("loading")) + "</p>";
    CP.json("/api/data/diff?a=" + encodeURIComponent(a.dataset.a) + "&b=" + encodeURIComponent(a.dataset.b) +
            "&lang=" + CP.C.lang).then(function (d) {
      var h = "<h4>" + esc(TT("qa32fh_diff_title", {a: a.dataset.a, b: a.dataset.b})) + "</h4><ul>";
      (d.lines || []).forEach(function (l) { h += "<li>" + esc(l) + "</li>"; });
      if (!(d.lines || []).length) h += "<li class='muted'>" + esc(T("data_no_change")) + "</li>";
      out.innerHTML = h + "</ul><p class='small'><a class='fv-open' href='" + esc(a.getAttribute("href")) + "'>" +
        esc(T("qa33f2_diff_open")) + "</a></p>";
      out.dataset.ready = "1";
    }).catch(function (err) { out.innerHTML = "<p class='error-box'>" + esc((err && err.message) || T("load_failed")) + "</p>"; });
  });

  function loadAudit() {
    var q = new URLSearchParams({limit: PAGE, offset: offset});
    if ($("af-action").value) q.set("action", $("af-action").value);
    if ($("af-user").value.trim()) q.set("user", $("af-user").value.trim());
    if ($("af-q").value.trim()) q.set("q", $("af-q").value.trim());
    CP.json("/api/admin/audit?" + q.toString()).then(function (r) {
      total = r.total;
      showFacility(r.facility || null);
      var sel = $("af-action"), chosen = sel.value;
      sel.innerHTML = "<option value=''>" + esc(T("all")) + "</option>" +
        options(r.actions, chosen, function (a) { return T("audit_" + a); });
      $("audit-table").querySelector("tbody").innerHTML = r.rows.map(function (a) {
        // user_text and detail_text are worded by the server in the page's language (web/auth.py)
        // labelled cells, as the accounts': on a phone each entry is a block of its own (app.css)
        var cell = function (label, cls, text) {
          return "<td data-label='" + esc(T(label)) + "'" + (cls ? " class='" + cls + "'" : "") + ">" + esc(text) + "</td>";
        };
        return "<tr class='audit-" + esc(a.action) + "'><td class='nowrap a-when'>" + esc(when(a.at)) + "</td>" +
          cell("auth_name", "", a.user_text || a.user || "–") + cell("admin_action", "", a.action_text) +
          cell("admin_object", "", a.object || "") + cell("admin_detail", "small", a.detail_text || "") +
          "<td data-label='IP' class='small muted'>" + esc(a.ip || "") + "</td></tr>";
      }).join("") || "<tr><td colspan='6' class='muted'>" + esc(T("none")) + "</td></tr>";
      $("audit-page").textContent = (total ? (offset + 1) + "–" + Math.min(total, offset + PAGE) : "0") + " / " + total;
      $("audit-prev").disabled = offset === 0;
      $("audit-next").disabled = offset + PAGE >= total;
    }).catch(fail($("audit-page")));
  }

  $("audit-filter").addEventListener("submit", function () { offset = 0; loadAudit(); });
  $("audit-prev").addEventListener("click", function () { offset = Math.max(0, offset - PAGE); loadAudit(); });
  $("audit-next").addEventListener("click", function () { offset += PAGE; loadAudit(); });

  loadUsers();
  loadLocks();
  loadAudit();
})();
