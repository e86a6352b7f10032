/* Editing the facility register on the coverage map: add (click the map), move, rename or
 * remove (buttons in a facility's popup). Each edit is saved at once as a new data version
 * with the planner's note, and the map reloads on it. */
(function () {
  "use strict";
  var C = CP.C, T = CP.T;
  var $ = function (id) { return document.getElementById(id); };
  var on = false, moving = null, out = null, facilityClicked = 0;

  function send(body) {
    body.type = $("edit-toggle").dataset.type;
    // the data version this page shows: a facility a colleague changed since is a 409, not overwritten
    var shown = document.getElementById("data-version");
    if (body.action !== "add" && body.action !== "add_site" && shown && shown.dataset.v) body.base = +shown.dataset.v;
    $("edit-status").textContent = T("edit_saving");
    $("edit-status").classList.remove("edit-saved");
    return CP.json("/api/data/edits?lang=" + C.lang, {method: "POST", headers: {"Content-Type": "application/json"},
                                                      body: JSON.stringify(body)})
      .then(function (r) {
        $("edit-status").textContent = T("data_now_version").replace("{v}", r.version);
        if (shown) shown.dataset.v = String(r.version);  // ours: not a colleague's new version (common.js)
        // the reload below would put the generic hint back: keep the confirmation for the next page
        try { sessionStorage.setItem("cp-edit-saved", String(r.version)); } catch (e) { /* private mode */ }
        var url = new URL(location.href);
        url.searchParams.set("edit", "1");
        location.href = url.pathname + url.search;
      })
      .catch(function (e) {
        var said = (e && (e.message || e.error)) || T("load_failed");
        // a name typed in the prompt is gone with the refused edit: said, so it need not be remembered (QA 22)
        if (body.name && (body.action === "rename" || body.action === "add")) said += " " + T("edit_typed_name").replace("{name}", body.name);
        // an attribute edit's answers are kept (typed): the form offers them again
        if (body.action === "update" && body.fields) said += " " + T("edit_fields_kept");
        $("edit-status").textContent = said;
      });
  }

  function setMode(v) {
    on = v; moving = null;
    $("edit-what").hidden = !on;
    $("edit-toggle").classList.toggle("on", on);
    $("edit-toggle").textContent = T(on ? "edit_done" : "edit_start");
    $("edit-status").textContent = on ? T("edit_hint") : "";
    $("edit-status").classList.remove("edit-saved");
    if (out) out.map.getContainer().classList.toggle("editing", on);
  }

  function onMapClick(e) {
    // a click on a facility also reaches the map: it opens the facility, it does not add one
    if (!on || Date.now() - facilityClicked < 300) return;
    var ll = e.latlng;
    if (moving) {
      var id = moving; moving = null;
      var site = /^cand-plan-/.test(id);
      send({action: site ? "move_site" : "move", id: id, lon: ll.lng, lat: ll.lat, note: prompt(T("edit_note")) || ""});
      return;
    }
    var what = $("edit-what").value;
    if (what !== "facility") {  // a candidate site of the planner's own (land the bureau holds ...)
      var sname = prompt(T("edit_site_name"));
      if (!sname) return;
      send({action: "add_site", name: sname, lon: ll.lng, lat: ll.lat, all_types: what === "site_all",
            note: prompt(T("edit_note")) || ""});
      return;
    }
    // where the point lies, before its name is asked: outside the region, or outside a county planner's
    // county, is said at once (the name and note were asked, then refused)
    CP.json("/api/townships/at?lon=" + ll.lng + "&lat=" + ll.lat + "&lang=" + C.lang).then(function (at) {
      var me = CP.user;
      if (me && me.county && String(at.county_code) !== String(me.county)) {
        $("edit-status").textContent = T("edit_other_county_point").replace("{county}", at.county_name);
        return;
      }
      $("edit-status").textContent = T("edit_hint");  // a refusal said for an earlier point no longer holds
      var name = prompt(T("edit_new_name"));
      if (!name) return;
      send({action: "add", name: name, lon: ll.lng, lat: ll.lat, note: prompt(T("edit_note")) || ""});
    }).catch(function (e) { $("edit-status").textContent = (e && (e.message || e.error)) || T("load_failed"); });
  }

  // A candidate site's popup: mark it required or forbidden for proposals, or clear its mark.
  function candidateActions(e, p) {
    var box = document.createElement("div");
    box.className = "edit-actions";
    var scope = document.createElement("label");
    scope.className = "small";
    scope.innerHTML = "<input type='checkbox' class='mark-all'> " + CP.esc(T("mark_all_types"));
    box.appendChild(scope);
    if (p.kind === "planner_site") {  // the planner's own sites can be moved or removed as well
      [["move", "edit_move"], ["remove", "edit_remove"]].forEach(function (a) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "secondary small-btn site-" + a[0]; b.textContent = T(a[1]);
        b.addEventListener("click", function () {
          if (a[0] === "move") { moving = p.id; out.map.closePopup(); $("edit-status").textContent = T("edit_move_hint"); return; }
          if (confirm(T("edit_remove_confirm").replace("{name}", p.name || p.id))) {
            send({action: "remove_site", id: p.id, note: prompt(T("edit_note")) || ""});
          }
        });
        box.appendChild(b);
      });
    }
    [["required", "mark_set_required"], ["forbidden", "mark_set_forbidden"], ["", "mark_clear"]].forEach(function (a) {
      if (a[0] === p.mark || (!a[0] && !p.mark)) return;
      var b = document.createElement("button");
      b.type = "button"; b.className = "secondary small-btn mark-" + (a[0] || "clear"); b.textContent = T(a[1]);
      b.addEventListener("click", function () {
        send({action: "mark", candidate_id: p.id, mark: a[0], all_types: box.querySelector(".mark-all").checked,
              note: prompt(T("edit_note")) || ""});
      });
      box.appendChild(b);
    });
    e.popup.getElement().querySelector(".leaflet-popup-content").appendChild(box);
  }

  // A facility's other attributes (address, operator, phone, remark), edited in place.
  // The answers of an attribute edit the server refused, by facility id: offered again when the planner
  // opens the form again, so one bad field does not lose the others (QA 27).
  var typed = {};

  // A capacity as the importer reads a cell: a count, with its unit word ("80张"), full-width digits too
  function capacityOk(v) {
    var s = v.replace(/[\uFF10-\uFF19]/g, function (ch) { return String.fromCharCode(ch.charCodeAt(0) - 0xFEE0); })
      .replace(/[,，]/g, "").trim();
    return s === "" || /^\+?\d+(\.0+)?\s*(张床位|个床位|张床|床位|张|个|位|穴|格|床|人|处|份|日托位|助餐位|餐位|beds?|places?|plots?|niches?|seats?)?$/i.test(s);
  }

  function editFields(p) {
    var fields = {}, changed = false, kept = typed[p.id] || {};
    ["address", "operator", "phone", "remark"].forEach(function (k) {
      var v = prompt(T("field_" + k), k in kept ? kept[k] : (p[k] || ""));
      if (v !== null && v !== (p[k] || "")) { fields[k] = v; changed = true; }
    });
    // its capacity (beds, day places ...) too, where the type counts one: blank = unknown. A value that is
    // no count is asked again, with what was typed, the other answers kept
    if ("capacity" in p) {
      var was = p.capacity == null ? "" : String(p.capacity);
      var v = prompt(T("edit_capacity"), "capacity" in kept ? kept.capacity : was);
      while (v !== null && !capacityOk(v)) v = prompt(T("edit_capacity_bad") + "\n" + T("edit_capacity"), v);
      if (v !== null && v.trim() !== was) { fields.capacity = v.trim(); changed = true; }
    }
    if (changed) {
      typed[p.id] = fields;
      send({action: "update", id: p.id, fields: fields, note: prompt(T("edit_note")) || ""});
    }
  }

  function onPopup(e) {
    var layer = e.popup._source, p = layer && layer.feature && layer.feature.properties;
    if (on && p && p.kind && !p.facility_type && out.layers.candidates && out.layers.candidates.hasLayer(layer)) {
      return candidateActions(e, p);
    }
    if (!on || !p || !p.facility_type) return;
    var box = document.createElement("div");
    box.className = "edit-actions";
    // a county planner's edits of another county's facility would only be refused (403): said instead
    var me = CP.user;
    if (me && me.county && p.county_code && String(p.county_code) !== String(me.county)) {
      box.className = "edit-actions small muted";
      box.textContent = T("edit_other_county");
      e.popup.getElement().querySelector(".leaflet-popup-content").appendChild(box);
      return;
    }
    [["move", "edit_move"], ["rename", "edit_rename"], ["fields", "edit_fields"], ["remove", "edit_remove"]].forEach(function (a) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "secondary small-btn edit-" + a[0]; b.textContent = T(a[1]);
      b.addEventListener("click", function () {
        if (a[0] === "move") { moving = p.id; out.map.closePopup(); $("edit-status").textContent = T("edit_move_hint"); return; }
        if (a[0] === "fields") { editFields(p); return; }
        if (a[0] === "rename") {
          var name = prompt(T("edit_new_name"), p.name || "");
          if (name) send({action: "rename", id: p.id, name: name, note: prompt(T("edit_note")) || ""});
          return;
        }
        if (confirm(T("edit_remove_confirm").replace("{name}", p.name || p.id))) {
          send({action: "remove", id: p.id, note: prompt(T("edit_note")) || ""});
        }
      });
      box.appendChild(b);
    });
    e.popup.getElement().querySelector(".leaflet-popup-content").appendChild(box);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = $("map"), btn = $("edit-toggle");
    if (!el || !btn) return;
    el.addEventListener("coverplan:ready", function (ev) {
      out = ev.detail;
      if (out.layers.facilities) out.layers.facilities.on("click", function () { facilityClicked = Date.now(); });
      // a click on a candidate site opens it (to mark it), it does not add a facility there
      if (out.layers.candidates) out.layers.candidates.on("click", function () { facilityClicked = Date.now(); });
      out.map.on("click", onMapClick);
      // a township or village under the click opens its popup and keeps the click from the map:
      // while editing, that click places the facility instead
      ["townships", "uncovered_units", "covered_units"].forEach(function (k) {
        if (out.layers[k]) out.layers[k].on("click", function (ev) {
          if (!on) return;
          out.map.closePopup();
          onMapClick(ev);
        });
      });
      out.map.on("popupopen", onPopup);
      out.edit = {setMode: setMode};
      if (new URLSearchParams(location.search).get("edit") === "1") {
        setMode(true);
        var saved = null;
        try { saved = sessionStorage.getItem("cp-edit-saved"); sessionStorage.removeItem("cp-edit-saved"); } catch (e) { /* private mode */ }
        if (saved) {  // shown once, after the reload the edit made
          $("edit-status").textContent = T("edit_done_after_reload").replace("{v}", saved) + " " + T("edit_hint");
          $("edit-status").classList.add("edit-saved");
        }
      }
    });
    btn.addEventListener("click", function () { setMode(!on); });
    // what a click adds stays chosen across the reload each edit makes
    var what = $("edit-what");
    try { if (sessionStorage.getItem("cp-edit-what")) what.value = sessionStorage.getItem("cp-edit-what"); } catch (e) { /* private mode */ }
    what.addEventListener("change", function () { try { sessionStorage.setItem("cp-edit-what", what.value); } catch (e) { /* private mode */ } });
  });
})();
