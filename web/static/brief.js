/* The proposal brief (/proposals/<pid>/brief): the print button and the map key's
 * facility colour. Kept out of the template because inline scripts and inline
 * styles will be refused by the content security policy. */
(function () {
  "use strict";
  var btn = document.getElementById("brief-print");
  if (btn) btn.addEventListener("click", function () { window.print(); });

  // the same type colour as the map's facility markers (palette from planner/palette.py)
  var P = CP.C.palette || {types: {}};
  document.querySelectorAll("[data-type-colour]").forEach(function (el) {
    el.style.backgroundColor = P.types[el.dataset.typeColour] || P.other;
  });

  // On the small printed map, numbered sites a few hundred metres apart (two in one township) sit on
  // top of each other and the lower number disappears. Sites at one place share one marker ("3, 5");
  // sites close together keep their place and have their number badges pushed apart around it, in the
  // directions they really lie in, so every number can be read. Not needed once clustered (many sites).
  var SIZE = 24, GAP = 2;
  function spread(out) {
    var layer = out.layers && out.layers.sites, map = out.map;
    if (!layer || out.clustered) return;
    var slots = {}, list = [];
    layer.eachLayer(function (m) {
      var ll = m.getLatLng(), key = ll.lat.toFixed(6) + "," + ll.lng.toFixed(6);
      var pr = m.feature && m.feature.properties ? m.feature.properties.priority : "";
      if (!slots[key]) { slots[key] = {markers: [], labels: [], pt: map.latLngToContainerPoint(ll)}; list.push(slots[key]); }
      slots[key].markers.push(m);
      slots[key].labels.push(pr);
    });
    list.forEach(function (s) {
      s.labels.sort(function (a, b) { return a - b; });
      s.text = s.labels.join(", ");
      s.w = Math.max(SIZE, 8 + 7 * s.text.length);
    });
    // groups of slots whose badges would touch (transitively)
    var group = list.map(function (_, i) { return i; });
    function root(i) { while (group[i] !== i) i = group[i] = group[group[i]]; return i; }
    for (var i = 0; i < list.length; i++) {
      for (var j = i + 1; j < list.length; j++) {
        var a = list[i], b = list[j];
        if (Math.abs(a.pt.x - b.pt.x) < (a.w + b.w) / 2 + GAP && Math.abs(a.pt.y - b.pt.y) < SIZE + GAP) group[root(j)] = root(i);
      }
    }
    var groups = {};
    list.forEach(function (s, i) { (groups[root(i)] = groups[root(i)] || []).push(s); });
    Object.keys(groups).forEach(function (k) {
      var g = groups[k], n = g.length, cx = 0, cy = 0, wmax = 0;
      g.forEach(function (s) { cx += s.pt.x / n; cy += s.pt.y / n; wmax = Math.max(wmax, s.w); });
      // badges on a circle around the group's centre, in the order the sites lie around it
      var r = n > 1 ? (wmax + GAP) / 2 / Math.sin(Math.PI / n) : 0;
      g.forEach(function (s) { s.angle = Math.atan2(s.pt.y - cy, s.pt.x - cx); });
      g.sort(function (a, b) { return a.angle - b.angle; });
      var start = n > 1 ? g[0].angle : 0;
      g.forEach(function (s, idx) {
        var ang = start + 2 * Math.PI * idx / n;
        var dx = cx + r * Math.cos(ang) - s.pt.x, dy = cy + r * Math.sin(ang) - s.pt.y;
        var moved = n > 1;
        s.markers.forEach(function (m, mi) {
          if (mi > 0) { m.setOpacity(0); return; }  // the first marker of a place carries every number
          m.setIcon(L.divIcon({className: "site-icon" + (moved ? " site-offset" : ""),
                               html: "<span>" + CP.esc(s.text) + "</span>",
                               iconSize: [s.w, SIZE], iconAnchor: [s.w / 2 - dx, SIZE / 2 - dy]}));
          m.setOpacity(1);
          var badge = m.getElement() && m.getElement().querySelector("span");
          if (badge && s.w > SIZE) { badge.style.width = s.w + "px"; badge.style.borderRadius = SIZE / 2 + "px"; }
        });
      });
    });
  }
  var mapEl = document.getElementById("map");
  if (mapEl) {
    var onReady = function (out) {
      spread(out);
      out.map.on("zoomend", function () { spread(out); });
    };
    if (mapEl.dataset.ready === "1" && window.coverplanMaps && window.coverplanMaps.map) onReady(window.coverplanMaps.map);
    else mapEl.addEventListener("coverplan:ready", function (e) { onReady(e.detail); });
  }
})();
