/* The planner's own data: upload a file, read the validation report and the
 * preview on the map, confirm to create a new data version; list versions,
 * compare two, roll back. Nothing is written before "confirm", and a rollback
 * adds a version (history is never rewritten). */
(function () {
  "use strict";
  var C = CP.C, T = CP.T, esc = CP.esc, fmt = CP.fmt;
  if (window.L) {  // Leaflet's zoom buttons in the page's language
    L.Control.Zoom.prototype.options.zoomInTitle = T("map_zoom_in");
    L.Control.Zoom.prototype.options.zoomOutTitle = T("map_zoom_out");
  }
  var $ = function (id) { return document.getElementById(id); };
  var upload = null, previewMap = null, previewLayer = null;
  var typeCapacity = {};  // facility type -> its capacity column (beds, day_places ...; null: none), from the check
  // A confirm refused because a colleague made a newer data version after the check (409): who made it, what and when
  // (the server's message), the versions ("v7"), and what they changed (GET /api/data/diff: facilities by kind), for the
  // upload it refused (QA 35: said in an alert gone at its OK, and nothing marked the changes that undid theirs)
  var newer = null;
  // The current data version the versions list showed when it was last loaded: a rollback is chosen on it, and
  // the server refuses it (409) when a colleague made a newer version since (QA 36: it silently undid theirs)
  var listedVersion = null;

  function when(ts) {
    return CP.datetime(ts, true);
  }

  // The header names the data version: a confirm or a rollback changes it without a reload
  // (the 示意 part is recomputed at the next page load).
  function headerVersion(v) {
    var el = $("data-version");
    if (el) { el.textContent = el.textContent.replace(/v\d+/, "v" + v); el.dataset.v = String(v); }  // common.js watches it
  }

  function loadVersions() {
    return CP.json("/api/data/versions?lang=" + C.lang).then(function (d) {
      $("current-version").textContent = "v" + d.current;
      listedVersion = d.current;
      var rows = d.versions.map(function (v) {
        var cur = v.version === d.current;
        var actions = (v.version > 0 ? "<button type='button' class='secondary small-btn diff-btn' data-a='" + esc(v.parent == null ? v.version - 1 : v.parent) +
          "' data-b='" + esc(v.version) + "'>" + T("data_diff") + "</button> " : "") +
          (cur ? "<span class='st st-met'>" + T("data_current") + "</span>"
               : "<button type='button' class='danger small-btn rollback-btn' data-v='" + esc(v.version) + "'>" + T("data_rollback") + "</button>");
        // the actions sit under the version number: a seventh column did not fit the half-width card
        return "<tr data-version='" + esc(v.version) + "'" + (cur ? " class='current'" : "") + "><td><b>v" + esc(v.version) + "</b>" +
          (v.kind && v.kind !== "import" ? " <span class='small muted'>" + esc(T("data_kind_" + v.kind)) + "</span>" : "") +
          "<div class='version-actions'>" + actions + "</div></td>" +
          "<td class='small'>" + esc(when(v.created)) + "</td><td class='layer'>" + esc(v.layer_label || v.layer || T("data_embedded")) + "</td>" +
          "<td class='small'>" + fileName(v.source_name) + (v.note ? "<div class='muted'>" + esc(v.note) + "</div>" : "") +
          // the check's report, kept with the version its note points to ("1 row refused, see the report")
          (v.report ? "<div><a class='version-report' href='" + esc(v.report + "?lang=" + C.lang) + "'>" + esc(T("data_report_xlsx")) + "</a></div>" : "") +
          // the original file the version was imported from, as kept with it (a whole backup held it only: QA 34)
          (v.source ? "<div><a class='version-source' download href='" + esc(v.source + "?lang=" + C.lang) + "' title='" +
            esc(v.source_name || "") + "'>" + esc(T("qa34f9_source")) + "</a></div>" : "") + "</td>" +
          // the rows the layer holds after the version (QA 31: the same meaning on every row), an import's file under it
          "<td class='num'>" + (v.layer === "network" || v.rows == null ? "–" : fmt(v.rows)) +
          (v.rows_note ? "<div class='small muted rows-file'>" + esc(v.rows_note) + "</div>" : "") + "</td>" +
          // a 40-character account name wraps (QA 31: kept on one line, it squeezed the layer to 2 letters a line)
          "<td class='small who'><span class='who-name'>" + esc(v.author_label || v.author || "") + "</span></td></tr>";
      }).join("");
      $("versions").querySelector("tbody").innerHTML = rows;
      var rowsHead = $("versions").querySelector("thead th.num");
      if (rowsHead && C.t.qa31_rows_tip) rowsHead.title = T("qa31_rows_tip");  // what the column now means
      // any two versions compared (the row's button compares a version with the one before it)
      var opts = d.versions.map(function (v) { return "<option value='" + esc(v.version) + "'>v" + esc(v.version) + "</option>"; }).join("");
      var a = $("cmp-a"), b = $("cmp-b"), wasA = a.value, wasB = b.value;
      var nums = d.versions.map(function (v) { return String(v.version); });
      a.innerHTML = b.innerHTML = opts;
      // the second follows the current version unless the planner chose another (after an import it read v0 with v0)
      var followed = !wasB || wasB === b.dataset.current;
      b.value = !followed && nums.indexOf(wasB) >= 0 ? wasB : String(d.current);
      b.dataset.current = String(d.current);
      a.value = nums.indexOf(wasA) >= 0 ? wasA : String(Math.min.apply(null, nums.map(Number)));
      $("cmp-line").hidden = d.versions.length < 2;
      $("versions").dataset.ready = "1";
      document.querySelectorAll(".diff-btn").forEach(function (b) {
        b.addEventListener("click", function () { showDiff(b.dataset.a, b.dataset.b); });
      });
      document.querySelectorAll(".rollback-btn").forEach(function (b) {
        b.addEventListener("click", function () { rollback(b.dataset.v); });
      });
    }).catch(function (e) {
      $("versions").querySelector("tbody").innerHTML = "<tr><td colspan='6' class='error-box'>" + esc((e && e.message) || T("load_failed")) + "</td></tr>";
    });
  }

  // A file name breaks after _ - . (not mid-word: "hostile_beds.cs / v", QA 27); a Chinese name anywhere
  function fileName(name) {
    if (!name) return "–";
    return "<span class='fname'>" + esc(name).replace(/([_\-.])/g, "$1<wbr>") + "</span>";
  }

  function compareChosen() {
    var a = $("cmp-a").value, b = $("cmp-b").value;
    if (a === b) { $("diff").hidden = false; $("diff").innerHTML = "<p class='muted'>" + esc(T("data_compare_same")) + "</p>"; return; }
    showDiff(Math.min(+a, +b), Math.max(+a, +b));
  }

  function showDiff(a, b) {
    $("diff").hidden = false;
    $("diff").dataset.ready = "0";
    $("diff").innerHTML = "<p class='muted'>" + T("loading") + "</p>";
    // the address says the comparison shown (/data?diff=A,B, as the admin page links to it): a reload or a
    // link copied from the address bar opens it again
    try {
      var q = new URLSearchParams(location.search);
      q.delete("diff");
      var rest = q.toString();
      history.replaceState(null, "", location.pathname + "?diff=" + encodeURIComponent(a) + "," + encodeURIComponent(b) +
                           (rest ? "&" + rest : "") + location.hash);
    } catch (err) { /* an address the browser will not change: the comparison is shown all the same */ }
    CP.json("/api/data/diff?a=" + encodeURIComponent(a) + "&b=" + encodeURIComponent(b) + "&lang=" + C.lang).then(function (d) {
      var h = "<h3>" + esc(T("data_diff")) + " v" + esc(a) + " → v" + esc(b) + "</h3><ul>";
      (d.lines || []).forEach(function (l) { h += "<li>" + esc(l) + "</li>"; });
      if (!(d.lines || []).length) h += "<li class='muted'>" + T("data_no_change") + "</li>";
      $("diff").innerHTML = h + "</ul>";
      $("diff").dataset.ready = "1";
    }).catch(function (e) { $("diff").innerHTML = "<p class='error-box'>" + esc((e && e.message) || T("load_failed")) + "</p>"; });
  }

  // The page opened as /data?diff=A,B: the server put the comparison (or why it cannot be shown) in #diff; the
  // version pickers say the two versions, and the comparison is scrolled into view once the list above it is in
  function openedOnDiff() {
    var box = $("diff");
    if (!box || box.dataset.from !== "url") return;
    var a = box.dataset.a, b = box.dataset.b, nums = [];
    $("cmp-a").querySelectorAll("option").forEach(function (o) { nums.push(o.value); });
    if (a != null && b != null && nums.indexOf(a) >= 0 && nums.indexOf(b) >= 0) {
      $("cmp-a").value = a;
      $("cmp-b").value = b;
    }
    box.scrollIntoView({block: "start"});
  }

  function rollback(v) {
    if (!confirm(T("data_rollback_confirm").replace("{v}", v))) return;
    var body = {version: +v};
    if (listedVersion != null) body.base = +listedVersion;
    CP.json("/api/data/rollback?lang=" + C.lang, {method: "POST", headers: {"Content-Type": "application/json"},
                                                  body: JSON.stringify(body)})
      .then(function (d) {
        // reloaded: the footer's and the header's "illustrative" follow the data rolled back to
        try { sessionStorage.setItem("cp-data-status", T("data_now_version").replace("{v}", d.version)); } catch (err) { /* private mode */ }
        location.reload();
      })
      .catch(function (e) {
        // a colleague's newer version since the list was shown (409): who, what and when (the server's words),
        // with the list and the header showing it, so that the planner decides again on what is there now
        if (e && e.error === "DataChanged" && e.details && e.details.current != null) {
          headerVersion(e.details.current);
          loadVersions();
        }
        alert((e && e.message) || T("load_failed"));
      });
  }

  function drawPreview(report) {
    if (!previewMap) {
      previewMap = L.map("preview-map", {zoomSnap: 0.25, maxZoom: 18, preferCanvas: true});
      previewMap.attributionControl.setPrefix(false);
      L.control.scale({imperial: false}).addTo(previewMap);
      // the region for orientation: county lines and (current) township outlines, not clickable
      CP.json("/api/region/layers").then(function (d) {
        L.geoJSON(d.townships, {interactive: false, style: {color: "#9aa7b5", weight: 0.6, fill: false}}).addTo(previewMap).bringToBack();
        L.geoJSON(d.counties, {interactive: false, style: {color: "#1b2a41", weight: 1.6, fill: false}}).addTo(previewMap);
      }).catch(function () { /* the preview works without the outlines */ });
    }
    if (previewLayer) previewMap.removeLayer(previewLayer);
    var canvas = L.canvas({padding: 0.3});
    previewLayer = L.geoJSON(report.preview, {
      style: function (f) { return {color: f.properties.refused ? "#d7191c" : "#1f78b4", weight: 1.2, fillOpacity: 0.25}; },
      pointToLayer: function (f, ll) {
        var p = f.properties;
        return L.circleMarker(ll, {renderer: canvas, radius: 5, weight: 1.5, color: "#fff",
          fillColor: p.refused ? "#d7191c" : p.located_by_name ? "#ff7f00" : "#1f78b4", fillOpacity: 1});
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindPopup("<div class='pop'><h4>" + esc(p.name || p.code || "") + "</h4><table>" +
          "<tr><th>" + esc(T("data_row")) + "</th><td>" + esc(p.row) + "</td></tr>" +
          (p.match ? "<tr><th>" + esc(T("data_match")) + "</th><td>" + esc(p.match) + "</td></tr>" : "") +
          (p.refused ? "<tr><th>" + esc(T("status")) + "</th><td class='bad'>" + esc(T("data_refused")) + "</td></tr>" : "") +
          "</table></div>");
      }
    }).addTo(previewMap);
    var b = previewLayer.getBounds();
    if (b.isValid()) previewMap.fitBounds(b, {padding: [12, 12], maxZoom: 13});
    else if (report.bounds) previewMap.fitBounds(report.bounds);
    window.coverplanMaps = window.coverplanMaps || {};
    window.coverplanMaps["preview-map"] = {map: previewMap, layers: {preview: previewLayer}, data: report.preview};
  }

  // What confirming replaces, as the server words it. Its "a rollback brings them back" is not a county
  // planner's to do (a rollback is city-wide, web/data.py): he is told who can.
  function replaceText(rep) {
    // (a file refused as a whole for rows outside his county replaces nothing: nothing to roll back)
    var county = CP.user && !CP.user.citywide && !rep.outside_county &&
      (rep.types || []).some(function (t) { return t.current > 0; });
    return rep.text + (county ? " " + T("data_rollback_county_note") : "");
  }

  function showReport(r) {
    upload = r;
    if (newer && newer.upload_id !== r.upload_id) newer = null;
    conflictBox(null);
    $("mapping").hidden = true;  // a mapping asked for an earlier file no longer applies
    $("report").hidden = false;
    $("r-file").textContent = r.file.name + " · " + fmt(r.file.size) + " B";
    var c = r.counts;
    // rows outside a county planner's county: the confirm refuses the whole file while they remain,
    // so the line says nothing will be imported (and how many could be), not "accepted N"
    $("r-counts").innerHTML = (r.blocked ? "<b class='bad'>" + esc(r.blocked.text) + "</b> · "
                                         : "<b>" + T("data_accepted") + " " + fmt(c.accepted) + "</b> · ") +
      "<span class='bad'>" + T("data_refused") + " " + fmt(c.refused) + "</span> · " + T("data_warnings") + " " + fmt(c.warnings) +
      " · " + T("rows") + " " + fmt(c.rows) +
      // totals, footer and repeated rows skipped on purpose: the counts add up to the rows (QA 32)
      (c.skipped ? " · " + T("f9_skipped_short") + " " + fmt(c.skipped) : "");
    var facts = [], colon = C.lang === "en" ? ": " : "：";   // the page's punctuation (坐标系：…，…)
    if (r.encoding) facts.push(T("data_encoding") + colon + r.encoding);
    if (r.crs) facts.push("CRS" + colon + r.crs);
    if (r.coords) facts.push(T("data_coords") + colon + T("data_coords_" + r.coords));
    // "detect" read the points as WGS84 and found nothing against it: a whole file from Amap (GCJ-02) is
    // ~550 m off, which rarely takes a point out of its township, so nothing could be found (QA 22). Said,
    // so the planner who knows where the coordinates came from chooses
    // (a file in a projected CRS, r.crs, was not read as degrees at all: nothing to say there)
    if (r.coords === "wgs84" && !r.suggestion && !r.crs && $("u-coords").value === "auto" && $("u-kind").value === "facilities") {
      $("r-coords-assumed").hidden = false;
      $("r-coords-assumed").textContent = T("data_coords_assumed");
    } else {
      $("r-coords-assumed").hidden = true;
    }
    // a township or village layer has no column mapping: no empty "columns:" fact
    if (r.columns && Object.keys(r.columns).length) facts.push(T("data_columns") + colon + Object.keys(r.columns).map(function (k) {
      var label = T("data_field_" + k);
      return r.columns[k] + " → " + (label === "data_field_" + k ? k : label);
    }).join(C.lang === "en" ? ", " : "，"));
    if (r.located_by_name) facts.push(T("data_located_by_name") + colon + fmt(r.located_by_name));
    if (r.column_map_remembered) facts.push(T("data_map_remembered"));
    (r.notes || []).forEach(function (n) { facts.push(n); });   // e.g. which sheet of a workbook was read
    var drawn = r.preview && r.preview.features ? r.preview.features.length : 0;
    if (r.preview_total > drawn) facts.push(T("data_preview_sample").replace("{n}", fmt(drawn)).replace("{total}", fmt(r.preview_total)));
    $("r-facts").textContent = facts.join(" · ");
    // a register's columns can be mapped by hand from its report too (a column read as nothing)
    var remap = r.file_columns && r.file_columns.length && r.fields && r.kind === "facilities";
    $("r-remap-line").hidden = !remap;
    $("r-remap").onclick = !remap ? null : function () {
      showMapping({upload_id: r.upload_id, columns: r.file_columns, fields: r.fields, column_map: r.columns || {},
                   capacity_fields: r.capacity_fields || [], type_capacity: r.type_capacity || {}, missing: [], type: r.type || "",
                   message: T("data_change_mapping_hint"), change: true});
      $("mapping").scrollIntoView({block: "start"});
    };
    // what confirming replaces: a short register would remove the type's other facilities
    var rep = r.replaces;
    // a city-wide planner's register replaces the type in the counties of its rows; the whole city's layer
    // of the type is his explicit choice (the box checks the file again: the sentence above says what it does)
    var cityChoice = r.replace && (!CP.user || CP.user.citywide !== false);
    $("r-city-line").hidden = !cityChoice;
    $("r-city").checked = r.replace === "city";
    // the same data as now replaces nothing: "replaces the N now" beside "identical" would contradict it
    // and a file the confirm refuses with no row it could import: "this file's 0 facilities replace the 18 now"
    // beside "Nothing will be imported" read as if the county's 18 would be removed (QA 30)
    var none = r.blocked && !((r.counts || {}).accepted > 0);
    $("r-replace").hidden = !(rep && rep.text) || !!r.identical || !!none;
    if (rep && rep.text) {
      $("r-replace").textContent = replaceText(rep);
      $("r-replace").className = rep.shrinks || rep.outside_county || r.blocked ? "error-box" : "explanation";
    }
    showChanges(r.changes);
    // the same data as the current version: confirming would make a version without a difference
    $("r-identical").hidden = !r.identical;
    if (r.identical) $("r-identical").textContent = r.identical.text;
    $("r-suggest").hidden = !r.suggestion;
    if (r.suggestion) $("r-suggest").textContent = r.suggestion;
    $("issues").querySelector("tbody").innerHTML = (r.issues || []).map(function (i) {
      // data-label: a phone shows the cells stacked, the row number named (app.css, QA32-FF)
      return "<tr class='sev-" + esc(i.severity) + "'><td class='num' data-label='" + esc(T("data_row")) + "'>" + esc(i.row == null ? "" : i.row) + "</td><td class='nowrap'>" + esc(i.column || "") + "</td>" +
        "<td><span class='st " + (i.severity === "error" ? "st-not_met" : "") + "'>" + esc(T("data_sev_" + i.severity)) + "</span></td>" +
        "<td>" + esc(i.message) + (i.fix ? "<div class='small muted'>" + esc(i.fix) + "</div>" : "") +
        ((i.candidates || []).length && i.row != null ? "<div class='small candidates'>" + esc(T("data_candidates")) + (C.lang === "en" ? ": " : "：") +
          i.candidates.map(function (c) {
            // a click places the row at that village or township and checks the file again
            return "<button type='button' class='link pick' data-row='" + esc(i.row) + "' data-code='" + esc(c.code) +
              "' title='" + esc(T("data_pick_hint")) + "'>" + esc((C.lang === "en" && c.path_en) || c.path || c.code) + " (" + esc(c.code) + ")</button>";
          }).join(" ") + "</div>" : "") +
        "</td></tr>";
    }).join("") || "<tr><td colspan='4' class='muted'>" + T("data_no_issues") + "</td></tr>";
    document.querySelectorAll("#issues .pick").forEach(function (b) {
      b.addEventListener("click", function () { pickPlace(b.dataset.row, b.dataset.code, b); });
    });
    $("r-xlsx").href = "/api/data/uploads/" + encodeURIComponent(r.upload_id) + "/report.xlsx?lang=" + C.lang;
    // the check already says the confirm will be refused (ids of another county's facilities ...): Confirm
    // is off, with the reason beside it (a click ended in an alert with the 400)
    $("r-confirm").disabled = !(c.accepted > 0) || !!(rep && rep.outside_county) || !!r.identical || !!r.blocked;
    confirmWhy(r.blocked);
    $("report").dataset.ready = "1";
    drawPreview(r);
  }

  // What the confirm changes, on the layer as it writes it (the CLI's dry run's "Changes", QA 32): the facilities
  // it removes in a line of their own (what it loses), then per kind of change a list that folds open, each
  // facility by name and id (a move with its distance); a boundary file's other changes as sentences.
  function showChanges(ch) {
    var box = $("r-changes");
    box.hidden = !ch;
    if (!ch) { box.innerHTML = ""; return; }
    var lists = ch.lists || [], lines = ch.lines || [], undone = undoing(ch), flagged = 0;
    var h = "<h3>" + esc(T("qa32ff_changes_title")) + "</h3>";
    // a township or village file's changes counted in its own terms (villages moved, now official at the same place)
    if (ch.summary) h += "<p class='changes-summary'>" + esc(ch.summary) + "</p>";
    if (ch.removed_text) h += "<p class='changes-removed'>" + esc(ch.removed_text) + "</p>";
    lists.forEach(function (l) {
      // those undoing what a colleague's newer version changed: marked, and their list open (it stayed folded)
      var marks = undone[l.kind] || [], n = marks.filter(Boolean).length;
      flagged += n;
      h += "<details class='changes-list' data-kind='" + esc(l.kind) + "'" + (n ? " data-undoes='" + n + "' open" : "") + "><summary>" +
        esc(l.title) + (n ? " <span class='st st-not_met undo-count'>" + esc(T("qa35f6_undo_count").replace("{n}", fmt(n))) + "</span>" : "") +
        "</summary><ul>" +
        l.items.map(function (i, k) {
          var m = marks[k];
          return m ? "<li class='undoes'><span class='st st-not_met'>" + esc(T("qa35f6_undo_badge").replace("{v}", newer.label)) + "</span> " +
            esc(i) + " <span class='small bad'>" + esc(m) + "</span></li>" : "<li>" + esc(i) + "</li>";
        }).join("") +
        (l.more ? "<li class='muted'>" + esc(T("qa32ff_changes_more").replace("{n}", fmt(l.more))) + "</li>" : "") +
        "</ul></details>";
    });
    if (lines.length) h += "<ul class='changes-lines'>" + lines.map(function (l) { return "<li>" + esc(l) + "</li>"; }).join("") + "</ul>";
    if (!lists.length && !lines.length && !ch.summary) h += "<p class='small muted'>" + esc(T("qa32ff_changes_none")) + "</p>";
    box.innerHTML = h;
    if (newer && newer.facilities) conflictBox(flagged);
  }

  // Per kind of change of the report, for each facility listed, why it undoes what the newer version changed (its
  // words), or null. Undone: a facility the newer version added that the confirm removes (a colleague's rename is a
  // removal and an addition when the id follows the name), one it removed that the confirm brings back, and one it
  // moved, renamed, gave other attributes or capacity that the confirm changes again.
  function undoing(ch) {
    var out = {}, theirs = newer && newer.facilities, mine = ch && ch.facilities;
    if (!theirs || !mine) return out;
    var kinds = ["added", "removed", "moved", "changed", "attributes", "capacity"], by = {};
    var key = function (k, r) { return String(r.id) + (k === "capacity" ? "|" + r.field : ""); };
    kinds.forEach(function (k) {
      by[k] = {};
      (theirs[k] || []).forEach(function (r) { by[k][key(k, r)] = r; });
    });
    kinds.forEach(function (k) {
      var other = {added: "removed", removed: "added"}[k] || k;
      out[k] = (mine[k] || []).map(function (r) {
        var t = by[other][key(k, r)];
        // a facility the newer version added, which this file moves, renames or gives other attributes or capacity:
        // confirming overwrites what it set (QA 35: only the same kind of change was matched)
        if (!t && k !== "added" && k !== "removed" && by.added[String(r.id)]) return T("qa35l_undo_added_changed").replace(/\{v\}/g, newer.label);
        if (!t) return null;
        if (k === "attributes" && !(r.attributes || []).some(function (a) { return (t.attributes || []).indexOf(a) >= 0; })) return null;
        return T(other === "added" ? "qa35f6_undo_added" : other === "removed" ? "qa35f6_undo_removed" : "qa35f6_undo_changed")
          .replace(/\{v\}/g, newer.label);
      });
    });
    return out;
  }

  // The refused confirm's who/what/when above the report checked again, with how many of its changes undo the newer
  // version's (flagged: null while not known); none when the report is another upload's.
  function conflictBox(flagged) {
    var box = $("r-conflict");
    if (!newer) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "r-conflict";
      box.className = "error-box";
      box.setAttribute("role", "alert");
      $("report").querySelector("h2").insertAdjacentElement("afterend", box);
    }
    var h = "<p class='conflict-who'>" + esc(newer.message) + "</p>";
    if (flagged != null && newer.facilities) {
      h += "<p class='conflict-undo'><b>" + esc(flagged ? T("qa35f6_undo_line").replace("{n}", fmt(flagged)).replace("{v}", newer.label)
                                                   : T("qa35f6_undo_none").replace("{v}", newer.label)) + "</b></p>";
    }
    box.innerHTML = h;
  }

  // The words beside a Confirm the check has turned off because the confirm would be refused.
  function confirmWhy(blocked) {
    var why = $("r-confirm-why");
    if (!why) {
      why = document.createElement("span");
      why.id = "r-confirm-why";
      why.className = "small bad";
      $("r-confirm").insertAdjacentElement("afterend", why);
    }
    why.hidden = !blocked;
    why.textContent = blocked ? T("f4_data_confirm_blocked") : "";
    why.title = blocked ? blocked.text : "";
  }

  function check() {
    var f = $("u-file").files[0];
    if (!f) { $("u-status").textContent = T("data_pick_file"); return; }
    var fd = new FormData();
    ["kind", "type", "coords", "encoding", "crs", "note"].forEach(function (k) {
      // a type goes with a register only: the disabled type box keeps what was picked before the kind changed,
      // and the server refuses a type for villages, townships and networks
      if (k === "type" && $("u-kind").value !== "facilities") return;
      fd.append(k, $("u-" + k).value);
    });
    fd.append("file", f);
    $("u-check").disabled = true;
    $("mapping").hidden = true;
    $("u-status").className = "small muted";
    $("u-status").textContent = T("data_checking");
    $("report").dataset.ready = "0";
    newer = null;
    conflictBox(null);
    CP.json("/api/data/uploads?lang=" + C.lang + ($("u-kind").value === "network" ? "&kind=network" : ""),
            {method: "POST", body: fd})
      .then(function (r) {
        $("u-status").textContent = "";
        if (r.kind === "network") { followNetwork(r); return; }
        showReport(r);
      })
      .catch(function (e) {
        $("report").hidden = true;
        if (e && e.needs_mapping) { showMapping(e); return; }
        $("u-status").textContent = (e && (e.message || e.error)) || T("load_failed");
        $("u-status").className = "small bad";
      })
      .then(function () { $("u-check").disabled = false; });
  }

  function confirmUpload() {
    if (!upload) return;
    var rep = upload.replaces;
    // (and the facilities it removes, by name: the report's list may have been left folded)
    var removed = upload.changes && upload.changes.removed_text ? "\n\n" + upload.changes.removed_text : "";
    if (rep && rep.shrinks && !confirm(T("data_replace_confirm").replace("{text}", replaceText(rep) + removed))) return;
    $("r-confirm").disabled = true;
    CP.json("/api/data/uploads/" + encodeURIComponent(upload.upload_id) + "/confirm?lang=" + C.lang, {method: "POST"})
      .then(function (d) {
        $("u-status").className = "small good";
        // and the facilities whose refused rows left them as they were (the report saying so is closed now)
        $("u-status").textContent = T("data_now_version").replace("{v}", d.version) +
          (d.refused_kept_text ? (C.lang === "en" ? ". " : "。") + d.refused_kept_text : "");
        headerVersion(d.version);
        $("report").hidden = true;
        newer = null;
        conflictBox(null);
        $("u-note").value = "";  // the note was this version's: the next file's version would have taken it too
        upload = null;
        return loadVersions();
      })
      .catch(function (e) {
        // the data changed since the check: check again on the current data, so the report the planner
        // confirms next says what the confirm will do now (Confirm stays off until it is there); the
        // header and the version list show the version that came in meanwhile. Who made it, what and when stays
        // above that report (an alert was gone at its OK), and its changes that undo theirs are marked (QA 35)
        if (e && e.details && e.details.recheck) {
          var det = e.details, since = det.changes || [];
          if (det.current != null) headerVersion(det.current);
          loadVersions();
          newer = {upload_id: upload.upload_id, message: e.message || T("load_failed"), facilities: null,
                   label: since.length > 1 ? "v" + since[0].version + "–v" + since[since.length - 1].version
                     : "v" + (since.length ? since[0].version : det.current)};
          conflictBox(null);
          $("u-status").className = "small muted";
          $("u-status").textContent = T("data_rechecking");
          // what the newer versions changed (not after a restore: the version checked on is gone, or later than now)
          var theirs = det.base != null && det.current != null && +det.current > +det.base && !det.restored
            ? CP.json("/api/data/diff?a=" + encodeURIComponent(det.base) + "&b=" + encodeURIComponent(det.current) + "&lang=" + C.lang)
              .then(function (d) { return d.facilities || null; }, function () { return null; })
            : Promise.resolve(null);
          var mine = newer;
          Promise.all([CP.json("/api/data/uploads/" + encodeURIComponent(upload.upload_id) + "/recheck?lang=" + C.lang,
                               {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"}), theirs])
            .then(function (x) {
              if (newer === mine) newer.facilities = x[1];
              showReport(x[0]);
              $("u-status").textContent = T("data_rechecked");
            })
            .catch(function (e2) {
              $("r-confirm").disabled = false;
              alert((e2 && e2.message) || T("load_failed"));
            });
        } else {
          alert((e && e.message) || T("load_failed"));
          $("r-confirm").disabled = false;
        }
      });
  }

  // The headers were not understood: the planner says which column holds what (remembered
  // by the server for the next file of the same shape).
  function showMapping(e) {
    $("mapping").hidden = false;
    $("mapping").dataset.upload = e.upload_id;
    $("m-message").textContent = e.message + (e.hint ? " " + e.hint : "");
    var opts = "<option value=''>—</option>" + e.columns.map(function (c) {
      return "<option value='" + esc(c) + "'>" + esc(c) + "</option>";
    }).join("");
    // the facility type of every row, for a file without a type column: chosen here (or in the form above,
    // kept the same), sent with the mapping (the type column's * goes while a type is chosen)
    var typeRow = "<label for='m-type-all'>" + esc(T("facility_type")) + "</label>" +
      "<select id='m-type-all'>" + $("u-type").innerHTML + "</select>" +
      "<span class='hint' id='m-type-hint'>" + esc(T("data_map_type_hint")) + "</span>";
    $("m-fields").innerHTML = typeRow + e.fields.map(function (f) {
      var need = (e.missing || []).indexOf(f) >= 0;
      return "<label for='m-" + esc(f) + "'>" + esc(T("data_field_" + f)) + (need ? " <b class='bad need'>*</b>" : "") + "</label>" +
        "<select id='m-" + esc(f) + "' data-field='" + esc(f) + "'>" + opts + "</select>";
    }).join("");
    var cmap = e.column_map || {}, capFields = e.capacity_fields || [];
    Object.keys(cmap).forEach(function (f) {
      var sel = $("m-" + f); if (sel) { sel.value = cmap[f]; sel.dataset.initial = sel.value; }
    });
    // the form's one capacity field stands for the type's capacity column the server recognised (床位数 read
    // as beds): shown so, and "—" then means "not read" (QA 27: it showed "—" beside "床位数 → 床位数")
    var capSel = $("m-capacity");
    typeCapacity = e.type_capacity || {};
    if (capSel && !cmap.capacity) {
      var capKey = capFields.filter(function (k) { return cmap[k]; })[0];
      if (capKey) {
        // the column as it was read (床位数 as beds) is an option of its own, first: the same column further down is
        // the capacity in each row's type's unit, which a day-care centre's beds are not (QA 33: the card showed
        // 床位数 as the capacity, sent nothing, and every centre came in with its capacity unknown)
        var unit = T("data_field_" + capKey), asRead = document.createElement("option");
        asRead.value = cmap[capKey];
        asRead.dataset.asRead = "1";
        asRead.textContent = T("qa33f15_as_read").replace("{column}", cmap[capKey]).replace("{unit}", unit);
        asRead.title = T("qa33f15_as_read_tip").replace(/\{unit\}/g, unit);
        capSel.insertBefore(asRead, capSel.options[1] || null);
        capSel.value = cmap[capKey]; capSel.dataset.initial = capSel.value; capSel.dataset.from = capKey;
        capSel.addEventListener("change", function () { delete capSel.dataset.auto; });  // the planner's own choice
      }
    }
    $("m-type-all").value = e.type != null ? e.type : $("u-type").value;
    $("u-type").value = $("m-type-all").value;
    syncMappingType();
    $("m-type-all").addEventListener("change", function () { $("u-type").value = $("m-type-all").value; syncMappingType(); });
    // a change asked for from a report is no failure: said neutrally (it read "headers not recognised" in red)
    $("u-status").className = e.change ? "small muted" : "small bad";
    // every header read but the type (QA 33: it said "headers not recognised" beside a card asking for the type)
    var typeOnly = (e.missing || []).length === 1 && e.missing[0] === "type";
    $("u-status").textContent = e.change ? T("data_map_change_status") : typeOnly ? T("qa33f15_type_missing") : T("data_map_columns");
  }

  // a type chosen for every row: the type column is no longer required
  function syncMappingType() {
    var star = document.querySelector("label[for='m-type'] .need");
    if (star) star.hidden = !!$("m-type-all").value;
    syncCapacity();
  }

  // A type chosen for every row whose capacity is counted in another unit than the column was read as (床位数 read as
  // beds; a day-care centre's capacity is its day places): the capacity field shows that column as the type's
  // capacity, and the recheck sends it so. Back to the column as read when the type changes again, unless the
  // planner chose the capacity himself.
  function syncCapacity() {
    var capSel = $("m-capacity"), typeSel = $("m-type-all");
    if (!capSel || !capSel.dataset.from || !typeSel) return;
    var from = capSel.dataset.from, own = typeSel.value ? typeCapacity[typeSel.value] : null;
    var burial = function (f) { return f === "plots" || f === "niches"; };
    var other = !!own && own !== from && !(burial(own) && burial(from));
    var chosen = capSel.selectedOptions[0], want = null;
    if (other && chosen && chosen.dataset.asRead) want = false;         // the column, as the type's capacity
    else if (!other && capSel.dataset.auto && chosen && !chosen.dataset.asRead) want = true;  // as read again
    if (want === null) return;
    Array.prototype.some.call(capSel.options, function (o) {
      if (o.value === chosen.value && !!o.dataset.asRead === want) { o.selected = true; return true; }
      return false;
    });
    if (want) delete capSel.dataset.auto; else capSel.dataset.auto = "1";
  }

  function replaceScope() {
    if (!upload) return;
    var box = $("r-city");
    box.disabled = true;
    CP.json("/api/data/uploads/" + encodeURIComponent(upload.upload_id) + "/recheck?lang=" + C.lang,
            {method: "POST", headers: {"Content-Type": "application/json"},
             body: JSON.stringify({replace: box.checked ? "city" : "counties"})})
      .then(showReport)
      .catch(function (e) { box.checked = !box.checked; alert((e && (e.message || e.error)) || T("load_failed")); })
      .then(function () { box.disabled = false; });
  }

  function pickPlace(row, code, button) {
    var picks = {};
    picks[row] = code;
    button.disabled = true;
    CP.json("/api/data/uploads/" + encodeURIComponent(upload.upload_id) + "/recheck?lang=" + C.lang,
            {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({picks: picks})})
      .then(showReport)
      .catch(function (e) { button.disabled = false; alert((e && (e.message || e.error)) || T("load_failed")); });
  }

  function recheck() {
    var uid = $("mapping").dataset.upload, cmap = {};
    // a column chosen; or "" where one was read and the planner set it to "—" (then it is not read at all)
    document.querySelectorAll("#m-fields select[data-field]").forEach(function (s) {
      if (s.dataset.from) {  // capacity shown from a recognised column (beds): sent unless left as it was read
        var opt = s.selectedOptions[0];
        if (opt && opt.dataset.asRead) return;
        // the card sends what it shows: the same column chosen as the capacity (or a type's, QA 33) is sent too
        cmap[s.dataset.from] = "";  // that column no longer read as it; "" on capacity = none read at all
      }
      if (s.value || s.dataset.initial) cmap[s.dataset.field] = s.value;
    });
    $("m-apply").disabled = true;
    // the type chosen for every row ("" = the file's type column): the form's type is that of the check,
    // which a file without a type column could not finish without
    var body = {column_map: cmap, type: $("m-type-all") ? $("m-type-all").value : $("u-type").value};
    CP.json("/api/data/uploads/" + encodeURIComponent(uid) + "/recheck?lang=" + C.lang,
            {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (r) { $("mapping").hidden = true; $("u-status").textContent = ""; showReport(r); })
      .catch(function (e) {
        if (e && e.needs_mapping) { showMapping(e); return; }
        $("m-message").textContent = (e && (e.message || e.error)) || T("load_failed");
      })
      .then(function () { $("m-apply").disabled = false; });
  }

  // A road network is built in a background job: follow it, then show the new version.
  function followNetwork(job) {
    CP.ownJob(true);  // its new data version is this planner's, not a colleague's (common.js)
    var misses = 0;
    $("u-progress").hidden = false;
    $("u-status").className = "small muted";
    (function poll() {
      CP.json("/api/jobs/" + job.id + "?lang=" + C.lang).then(function (j) {
        $("u-bar").style.width = (100 * (j.progress || 0)).toFixed(0) + "%";
        $("u-status").textContent = T("data_network_building") + (j.message ? " " + j.message : "");
        if (j.state === "queued" || j.state === "running") { setTimeout(poll, 700); return; }
        CP.ownJob(false);
        $("u-progress").hidden = true;
        if (j.state === "done" && j.result) {
          $("u-status").className = "small good";
          var r = j.result, msg = T("data_network_done").replace("{nodes}", j.result.nodes)
            .replace("{edges}", j.result.edges).replace("{v}", j.result.version);
          if (r.villages) {   // how much of the region the network reaches
            msg += " " + T("data_network_reach").replace("{near}", fmt(r.villages_near)).replace("{total}", fmt(r.villages));
            // the note when a tenth or more are off it; red only when most are (the analysis then says little)
            if (r.villages_near < 0.9 * r.villages) msg += " " + T("data_network_partial");
            if (r.villages_near < 0.5 * r.villages) $("u-status").className = "small bad";
          }
          $("u-status").textContent = msg;
          headerVersion(j.result.version);
          loadVersions();
        } else {
          $("u-status").className = "small bad";
          $("u-status").textContent = (j.error && (j.error.message || j.error.error)) || T("job_" + j.state);
        }
      }).catch(function (e) {
        // the server no longer knows the job (restarted) or stopped answering: stop following it, or the
        // page would take every new version for its own for good (common.js ownJob)
        misses += 1;
        if ((e && e.error === "NotFoundError") || misses > 40) {
          CP.ownJob(false);
          $("u-progress").hidden = true;
          $("u-status").className = "small bad";
          $("u-status").textContent = T("job_interrupted");
          loadVersions();
          return;
        }
        setTimeout(poll, 1500);
      });
    })();
  }

  function syncKind() {
    var k = $("u-kind").value, viewer = document.body.classList.contains("cp-readonly");  // a viewer's stay locked
    $("u-type").disabled = viewer || k !== "facilities";
    $("u-coords").disabled = $("u-encoding").disabled = $("u-crs").disabled = viewer || k === "network";
    // a road network is built and then used at once (no rows to review); other kinds are checked first
    $("u-check").textContent = T(k === "network" ? "data_build_network" : "data_check");
    // the formats that kind takes: a road network is no table
    var hint = $("u-formats");
    hint.textContent = k === "network" ? hint.dataset.network : hint.dataset.table;
    $("u-file").accept = k === "network" ? ".osm,.pbf,.graphml"
      : ".csv,.txt,.xlsx,.xls,.geojson,.json,.zip,.gpkg,.kml,.kmz";
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("upload-form").addEventListener("submit", check);
    $("r-confirm").addEventListener("click", confirmUpload);
    $("r-city").addEventListener("change", replaceScope);
    $("cmp-go").addEventListener("click", compareChosen);
    $("m-apply").addEventListener("click", recheck);
    $("u-kind").addEventListener("change", syncKind);
    // the form's type and the mapping card's say the same (either may be changed before a recheck)
    $("u-type").addEventListener("change", function () {
      if ($("m-type-all") && !$("mapping").hidden) { $("m-type-all").value = $("u-type").value; syncMappingType(); }
    });
    syncKind();
    loadVersions().then(openedOnDiff);
    try {  // what the action before the reload (a rollback) did
      var said = sessionStorage.getItem("cp-data-status");
      if (said) { sessionStorage.removeItem("cp-data-status"); $("u-status").textContent = said; }
    } catch (err) { /* private mode */ }
  });
})();
