/* Helpers every page script shares: translations, HTML escaping, number
 * formats and JSON requests that throw the API's error object.
 * Loaded by base.html before any page script, as window.CP. */
(function () {
  "use strict";
  // The page's settings come as JSON data (<script type="application/json" id="cp-config">):
  // the Content-Security-Policy runs no inline script. window.COVERPLAN stays for page scripts.
  var cfgEl = document.getElementById("cp-config");
  var C = window.COVERPLAN = cfgEl ? JSON.parse(cfgEl.textContent) : {lang: "zh", t: {}};
  var T = function (k) { return C.t[k] || k; };
  var esc = function (s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  };
  var fmt = function (v, d) {
    if (v == null || (typeof v === "number" && !isFinite(v))) return "–";
    if (typeof v !== "number") return esc(v);
    return v.toLocaleString(C.lang === "en" ? "en-US" : "zh-CN", {maximumFractionDigits: d == null ? 0 : d});
  };
  // a share short of full never reads "100.0%" (planner.mapexport.share_text has the same rule)
  var pct = function (v) {
    if (v == null || !isFinite(v)) return "–";
    var x = 100 * v, t = x.toFixed(1);
    if ((t === "100.0" && x < 100) || (t === "0.0" && x > 0)) {
      t = x.toFixed(2);
      if (t === "100.00") return "<100%";
      if (t === "0.00") return ">0%";
    }
    return t + "%";
  };
  // fetch() that resolves to the parsed JSON and rejects with the API's
  // {error, message, hint} object on an HTTP error.
  // Every request that changes something carries the page's CSRF token (web/security.py).
  // The token belongs to the login (it changes at login, logout and a password change): when
  // a write is refused for it (the login changed in another tab since this page loaded) the
  // page takes the current one from /api/csrf, into its forms too, and sends the write once more.
  // A page left open after its login ended (logged out in another tab, the account disabled): every
  // fetch answers 401 and the page went quiet (a place search found nothing, without a word). Said once,
  // at the top, with a link back to this page after the login; no redirect (a form being filled in stays
  // on screen) and no retry (nothing to loop on).
  // The notice follows the latest answer (QA 35): "disabled" replaced by "enabled again since: log in again" when the
  // administrator enables the account again, and taken away once a request is answered again (logged in anew in
  // another tab), where it stayed saying the account was disabled beside a Save that said to log in.
  var sent = 0, endedAt = 0;  // requests sent so far; how many had been when the notice was last said
  var loginEnded = function (why) {
    if (!document.body) return;
    endedAt = sent;
    var text = (why || T("session_ended")) + " ", was = document.getElementById("cp-login-ended");
    if (was) {
      if (was.firstChild && was.firstChild.nodeType === 3) was.firstChild.data = text;
      return;
    }
    var box = document.createElement("div");
    box.id = "cp-login-ended";
    box.className = "login-ended";
    box.setAttribute("role", "alert");
    // built as elements: the page's own address goes into the link as a property, never as markup
    // why, when an administrator ended it (the server's message: account disabled, password reset; QA 32)
    box.appendChild(document.createTextNode(text));
    var a = document.createElement("a");
    a.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    a.textContent = T("session_login_again");
    box.appendChild(a);
    document.body.insertBefore(box, document.body.firstChild);
  };
  // This page's own writes: one in flight, or one that ended while the version check was out, may
  // have made the new data version the check sees before the page has moved its header along; the
  // check then waits for its next turn instead of taking the planner's own import for a colleague's.
  var ownWrites = {inFlight: 0, ended: 0, busy: 0};
  var json = function (url, opts, retried) {
    opts = opts || {};
    var method = (opts.method || "GET").toUpperCase();
    var writes = method !== "GET" && method !== "HEAD";
    if (writes && !retried) {
      ownWrites.inFlight += 1;
      var done = function () { ownWrites.inFlight -= 1; ownWrites.ended += 1; };
      return json(url, opts, true).then(function (j) { done(); return j; }, function (e) { done(); throw e; });
    }
    var init = opts;
    if (writes) {
      var h = new Headers(opts.headers || {});
      h.set("X-CSRF-Token", C.csrf || "");
      init = Object.assign({}, opts, {headers: h, credentials: "same-origin"});
    }
    var nth = ++sent;
    return fetch(url, init).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok && writes && retried !== "csrf" && r.status === 403 && j && j.error === "CSRFTokenMissing") {
          return fetch("/api/csrf", {credentials: "same-origin"}).then(function (t) { return t.json(); })
            .then(function (t) {
              if (!t || !t.token || t.token === C.csrf) throw j;  // no newer token: the refusal stands
              C.csrf = t.token;
              document.querySelectorAll("input[name=csrf_token]").forEach(function (i) { i.value = t.token; });
              return json(url, opts, "csrf");
            }, function () { throw j; });
        }
        // the gate's own answer (web/auth.py), not a wrong password at /login (401 too, another error)
        var ended = r.status === 401 && j && j.details && j.details.session_ended;  // web/auth.py ENDED_CODES
        if (r.status === 401 && j && (j.error === "LoginRequired" || ended)) loginEnded(ended ? j.message : null);
        else if (r.ok && nth > endedAt && !/^\/(login|logout|healthz|api\/healthz|api\/csrf)(\/|$)/.test(new URL(url, location.href).pathname)) {
          // a request that needs a login, sent after the notice, answered (one sent before may be answered after it)
          var gone = document.getElementById("cp-login-ended");
          if (gone) gone.remove();
        }
        if (!r.ok) throw j;
        return j;
      });
    });
  };
  // The language switch keeps whatever the page put in its URL since it loaded
  // (filters, a county...), so call this after every history.replaceState.
  var syncLangLink = function () {
    var a = document.getElementById("lang-switch");
    if (!a) return;
    var q = new URLSearchParams(location.search);
    q.set("lang", C.lang === "en" ? "zh" : "en");
    a.setAttribute("href", "?" + q.toString());
  };
  // <select data-nav="/prefix/">: choosing an option opens prefix + value (no inline handlers).
  // <form data-js-form>: the page script handles it; the browser never submits it itself
  // (was onsubmit="return false", an inline handler the CSP refuses).
  document.addEventListener("submit", function (e) {
    if (e.target && e.target.hasAttribute && e.target.hasAttribute("data-js-form")) e.preventDefault();
  });
  // A colleague's import or map edit makes a new data version while this page shows an older one: said
  // once, with a reload link, instead of being found out from an edit refused as a conflict (QA 19). The
  // server is asked every minute while the page is visible (window.CP_VERSION_POLL_MS in a test).
  var watchVersion = function () {
    var badge = document.getElementById("data-version");
    if (!badge || badge.dataset.v == null) return;
    if (location.pathname === "/login") return;  // nothing shown to compare, and no login to ask with
    var every = window.CP_VERSION_POLL_MS || 60000, timer = null;
    var check = function () {
      if (document.hidden || document.getElementById("cp-data-changed")) return;
      var endedBefore = ownWrites.ended;
      fetch("/api/healthz", {credentials: "same-origin"}).then(function (r) {
        if (r.status === 401) { clearInterval(timer); return null; }  // the login ended: no more asking
        return r.ok ? r.json() : null;
      })
        .then(function (d) {
          var shown = String(badge.dataset.v);  // read each time: the data page moves it along after its own import
          if (!d || d.data_version == null || String(d.data_version) === shown ||
              document.getElementById("cp-data-changed")) return;
          if (ownWrites.inFlight || ownWrites.busy || ownWrites.ended !== endedBefore) return;  // maybe our own: next turn
          var box = document.createElement("div");
          box.id = "cp-data-changed";
          box.className = "login-ended";
          box.setAttribute("role", "status");
          // a lower number than the page's: only a backup's restore takes versions away (numbers are never given
          // again, geo.datasets), said so, not "a colleague imported or edited" (QA 35)
          var back = +d.data_version < +shown;
          box.dataset.restored = back ? "1" : "0";
          box.appendChild(document.createTextNode(T(back ? "qa35f6_data_restored_notice" : "data_changed_notice")
            .replace("{v}", d.data_version).replace("{shown}", shown) + " "));
          var a = document.createElement("a");
          a.href = location.pathname + location.search;
          a.textContent = T("data_changed_reload");
          box.appendChild(a);
          document.body.insertBefore(box, document.body.firstChild);
        }, function () { /* offline for a moment: the next check says it */ });
    };
    timer = setInterval(check, every);
  };
  document.addEventListener("DOMContentLoaded", function () {
    watchVersion();
    // a password change lands here with #password-changed: said once, and the mark taken off the address
    if (location.hash === "#password-changed" && document.body) {
      var done = document.createElement("div");
      done.id = "cp-password-changed";
      done.className = "login-ended";
      done.setAttribute("role", "status");
      done.textContent = T("password_changed_notice");
      document.body.insertBefore(done, document.body.firstChild);
      history.replaceState(null, "", location.pathname + location.search);
      syncLangLink();
    }
    document.querySelectorAll("select[data-nav]").forEach(function (sel) {
      var from = sel.value, stepped = false;
      var go = function () { if (sel.value !== from) location.href = sel.dataset.nav + encodeURIComponent(sel.value) + (sel.dataset.navSuffix || ""); };
      // the arrow keys change a closed select at once: a keyboard user looking through the types
      // was sent to the next page on the first ArrowDown; they go on Enter (or on leaving the select)
      sel.addEventListener("keydown", function (e) {
        if (/^(Arrow|Page|Home$|End$)/.test(e.key)) stepped = true;
        else if (e.key === "Enter") go();
      });
      sel.addEventListener("change", function () { if (!stepped) go(); });
      sel.addEventListener("blur", function () { if (stepped) go(); stepped = false; });
    });
    // a table row that shows its site on the map (a proposal's rationale, upgrade candidates): Enter or
    // Space does what a click does, so a keyboard user reaches the sites the canvas map cannot focus
    document.addEventListener("keydown", function (e) {
      var row = e.target;
      if ((e.key === "Enter" || e.key === " ") && row.matches && row.matches("tr[data-priority][tabindex]")) {
        e.preventDefault(); row.click();
      }
    });
    // sortable table headers: reachable and usable from the keyboard too (they took clicks only)
    document.querySelectorAll("th.sortable").forEach(function (th) {
      th.tabIndex = 0;
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); th.click(); }
      });
    });
  });
  // A number field's own checks (required, "not a number", min, max, whole numbers) in the page's words, as
  // the proposal form says them (proposals.js formValid): the browser's bubble said them in the browser's
  // language ("Value must be greater than or equal to 1." on a Chinese page, QA 26). Set as the field's own
  // message, so the browser still refuses the value, keeps it in the field and sends nothing. Returns it.
  var numberCheck = function (el) {
    el.setCustomValidity("");  // the browser's flags as they are now, not as our last message left them
    var v = el.validity, bound = function (x) { return fmt(+x, 2); };
    var whole = el.step === "" || +el.step === 1;  // (step="1" or the default: a whole number)
    var msg = v.badInput ? T("form_not_a_number") :
      // an empty field says what belongs in it where the page names that (data-missing: an i18n key)
      v.valueMissing ? T(el.dataset.missing || (whole ? "form_whole_number" : "form_not_a_number")) :
      v.rangeUnderflow ? T("form_too_small").replace("{min}", bound(el.min)) :
      v.rangeOverflow ? T("form_too_large").replace("{max}", bound(el.max)) :
      v.stepMismatch ? T(whole ? "form_whole_number" : "form_not_a_number") : "";
    el.setCustomValidity(msg);
    return msg;
  };
  // ...checked as it is typed and again when its form's button is pressed (Enter in the field presses it too),
  // before the browser's own check shows its bubble
  var watchNumber = function (el, button) {
    if (!el) return;
    var check = function () { numberCheck(el); };
    el.addEventListener("input", check);
    el.addEventListener("change", check);
    if (button) button.addEventListener("click", check);
    check();
  };
  // A time for people, the same in both languages: 2026-12-04 19:01 (local time). en-GB's 04/12/2026
  // reads as 12 April to an American; ISO is what the brief and the exports print.
  var datetime = function (ts, seconds) {
    if (!ts) return "–";
    var d = new Date(ts * 1000), p = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes()) +
      (seconds ? ":" + p(d.getSeconds()) : "");
  };
  // a page following a job of its own that makes a data version (a road network build) says so while it does
  var ownJob = function (on) {
    if (on) { ownWrites.busy += 1; return; }
    ownWrites.busy = Math.max(0, ownWrites.busy - 1); ownWrites.ended += 1;
  };
  window.CP = {C: C, T: T, esc: esc, fmt: fmt, pct: pct, json: json, ownJob: ownJob, syncLangLink: syncLangLink, datetime: datetime,
               numberCheck: numberCheck, watchNumber: watchNumber};
})();
