/* Coverplan maps: plain Leaflet fed by the JSON API (no CDN, no jQuery).
 * CoverMap.load(el) reads el.dataset.layers (a JSON URL) and draws whatever
 * layers the answer holds: counties, townships (coloured by covered share when
 * present), service areas, demand units, facilities, proposed sites.
 * The built map is exposed as window.coverplanMaps[el.id] for tests. */
(function () {
  "use strict";
  var C = CP.C, T = CP.T, esc = CP.esc, fmt = CP.fmt, pct = CP.pct;

  // Covered-share classes and facility colours come from the server
  // (web/layers.py), so the offline map and the charts use the same ones.
  var P = C.palette;
  var SHARE_CLASSES = P.classes;
  function shareColor(s) {
    if (s == null) return P.no_demand;
    if (s >= P.full) return SHARE_CLASSES[0].color;
    for (var i = 1; i < SHARE_CLASSES.length; i++) if (s >= SHARE_CLASSES[i].min) return SHARE_CLASSES[i].color;
    return SHARE_CLASSES[SHARE_CLASSES.length - 1].color;
  }
  var typeColor = function (k) { return P.types[k] || P.other; };

  function addBasemap(map, cfg) {
    cfg = cfg || {kind: "none"};
    if (cfg.kind === "osm") {
      return L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        {maxZoom: 18, attribution: "© OpenStreetMap"}).addTo(map);
    }
    if (cfg.kind === "tianditu" && cfg.key) {
      var u = "https://t{s}.tianditu.gov.cn/{l}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={l}" +
              "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + cfg.key;
      var opts = {subdomains: "01234567", maxZoom: 18, attribution: "© 天地图"};
      L.tileLayer(u.replace(/\{l\}/g, "vec"), opts).addTo(map);
      return L.tileLayer(u.replace(/\{l\}/g, "cva"), opts).addTo(map);
    }
    return null;  // offline: a plain background, the layers carry the geography
  }

  function legendControl(html) {
    var c = L.control({position: "bottomright"});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "legend");
      d.innerHTML = html;
      L.DomEvent.disableScrollPropagation(d);
      return d;
    };
    return c;
  }

  function noteControl(text) {
    var c = L.control({position: "bottomleft"});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "map-note");
      d.innerHTML = text;
      return d;
    };
    return c;
  }

  function row(k, v) { return "<tr><th>" + esc(k) + "</th><td>" + v + "</td></tr>"; }
  function costText(v, unit) {
    if (v == null) return "–";
    if (unit === "m") return v >= 1000 ? fmt(v / 1000, 1) + " " + T("km") : fmt(v, 0) + " " + T("metres");
    return fmt(v, v >= 10 ? 0 : 1) + " " + T("minutes");
  }

  function build(el, data) {
    var map = L.map(el, {zoomSnap: 0.25, attributionControl: true, preferCanvas: false});
    map.attributionControl.setPrefix(false);
    addBasemap(map, C.basemap);
    var overlays = {}, out = {map: map, layers: {}, data: data};
    var unit = data.unit || "min";
    var canvas = L.canvas({padding: 0.3});  // thousands of village dots: canvas keeps it smooth
    var villages = !data.demand || data.demand === "villages";
    var unc = T(villages ? "uncovered_villages" : "uncovered_points"), cov = T(villages ? "covered_villages" : "covered_points");

    if (data.service_areas) {
      out.layers.service_areas = L.geoJSON(data.service_areas, {
        style: {color: "#3182bd", weight: 0.6, fillColor: "#6baed6", fillOpacity: 0.18, interactive: false}
      }).addTo(map);
      overlays[T("service_areas") + (data.is_estimate ? " <span class='approx'>(" + T("illustrative") + ")</span>" : "")] = out.layers.service_areas;
    }

    if (data.townships) {
      var shaded = data.townships.features.length && "covered_share" in data.townships.features[0].properties;
      out.layers.townships = L.geoJSON(data.townships, {
        className: "township",
        style: function (f) {
          var p = f.properties;
          return shaded ? {color: "#555", weight: 0.7, fillColor: shareColor(p.covered_share), fillOpacity: 0.62,
                           className: "township"}
                        : {color: "#4a6fa5", weight: 0.8, fillColor: "#dbe6f3", fillOpacity: 0.5, className: "township"};
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(esc(p.name) + (shaded ? " · " + pct(p.covered_share) : ""), {sticky: true});
          var h = "<div class='pop'><h4>" + esc(p.name) + " <small>" + esc(p.county_name) + "</small></h4><table>" +
                  row(T("code"), esc(p.code)) + row(T("aged_60"), fmt(p.aged_60));
          if (shaded) {
            h += row(T("covered_share_weighted"), pct(p.covered_share)) +
                 row(T("covered_units"), fmt(p.covered_units) + " / " + fmt(p.units)) +
                 row(T("covered_weight"), fmt(p.covered_weight) + " / " + fmt(p.weight));
            if (p.status) h += row(T("status"), "<span class='st st-" + esc(p.status) + "'>" + T("status_" + p.status) + "</span>");
            if (p.reason) h += row(T("reason"), esc(p.reason));  // names the nearest facility and its cost
          } else if (p.area_km2 != null) {
            h += row("km²", fmt(p.area_km2, 1));
          }
          layer.bindPopup(h + "</table></div>");
          layer.feature = f;
        }
      }).addTo(map);
      overlays[T("township_polygons") + " <span class='approx'>(" + T("illustrative") + ")</span>"] = out.layers.townships;
    }

    if (data.counties) {
      out.layers.counties = L.geoJSON(data.counties, {
        style: {color: "#1b2a41", weight: 2.2, fill: false, className: "county"},
        interactive: false
      }).addTo(map);
      overlays[T("county_boundaries")] = out.layers.counties;
    }

    if (data.units) {
      var mk = function (covered) {
        return L.geoJSON(data.units, {
          filter: function (f) { return !!f.properties.covered === covered; },
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, covered
              ? {renderer: canvas, radius: 2.5, color: "#2b8cbe", weight: 0, fillOpacity: 0.55}
              : {renderer: canvas, radius: 4, color: "#fff", weight: 1, fillColor: "#d7191c", fillOpacity: 0.95});
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            layer.bindTooltip(esc(p.name) + " · " + (p.covered ? T("covered") : T("uncovered")));
            layer.bindPopup("<div class='pop'><h4>" + esc(p.name) + "</h4><table>" +
              row(T("township"), esc(p.township_name)) + row(T("code"), esc(p.id)) +
              row(T("weight"), fmt(p.weight)) + row(T("nearest_facility"), esc(p.nearest_name || T("none"))) +
              row(T("cost"), costText(p.cost, unit)) + row(T("standard"), costText(p.standard, unit)) +
              row(T("status"), p.covered ? T("covered") : "<b class='bad'>" + T("uncovered") + "</b>") + "</table></div>");
          }
        });
      };
      out.layers.covered_units = mk(true);
      out.layers.uncovered_units = mk(false).addTo(map);
      overlays[unc] = out.layers.uncovered_units;
      overlays[cov] = out.layers.covered_units;
    }

    if (data.facilities) {
      out.layers.facilities = L.geoJSON(data.facilities, {
        pointToLayer: function (f, ll) {
          var c = typeColor(f.properties.facility_type);
          return L.circleMarker(ll, {radius: 6, color: "#fff", weight: 1.5, fillColor: c, fillOpacity: 1,
                                     className: "facility facility-" + f.properties.facility_type});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(esc(p.name));
          layer.bindPopup("<div class='pop'><h4>" + esc(p.name) + "</h4><table>" + row(T("code"), esc(p.id)) +
            row(T("township"), esc(p.township_name || p.township_code)) +
            (p.synthetic ? row(T("quality"), "<span class='approx'>" + T("illustrative") + "</span>") : "") +
            "</table></div>");
        }
      }).addTo(map);
      overlays[T("existing_facilities") + (data.facilities_synthetic ? " <span class='approx'>(" + T("illustrative") + ")</span>" : "")] = out.layers.facilities;
    }

    if (data.sites) {
      out.layers.sites = L.geoJSON(data.sites, {
        pointToLayer: function (f, ll) {
          return L.marker(ll, {icon: L.divIcon({className: "site-icon", html: "<span>" + esc(f.properties.priority) + "</span>",
                                               iconSize: [24, 24], iconAnchor: [12, 12]}),
                              zIndexOffset: 1000 - (f.properties.priority || 0)});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(T("priority") + " " + esc(p.priority) + " · " + esc(p.name));
          layer.bindPopup("<div class='pop'><h4>#" + esc(p.priority) + " " + esc(p.name) + "</h4><table>" +
            row(T("township"), esc(p.township_name)) + row(T("county"), esc(p.county_name)) +
            row(T("added_weight"), fmt(p.added_weight)) + row(T("added_units"), fmt(p.added_units)) +
            row(T("farthest_cost"), costText(p.farthest_cost, unit)) +
            row(T("nearest_existing"), esc(p.nearest_existing_name || p.nearest_existing_id || T("none")) +
                (p.nearest_existing_cost != null ? " (" + costText(p.nearest_existing_cost, unit) + ")" : "")) +
            "</table></div>");
        }
      }).addTo(map);
      overlays[T("proposed_sites")] = out.layers.sites;
    }

    var compact = el.dataset.compact === "1";  // side-by-side maps: keep the controls out of the way
    L.control.layers(null, overlays, {collapsed: compact, position: "topright"}).addTo(map);
    L.control.scale({imperial: false}).addTo(map);

    var lg = "<h5>" + T("legend") + "</h5>";
    if (data.townships && data.townships.features.length && "covered_share" in data.townships.features[0].properties) {
      lg += "<div class='lg-title'>" + T("legend_share") + "</div>";
      SHARE_CLASSES.forEach(function (c) { lg += "<div><i class='sw' style='background:" + c.color + "'></i>" + c.label + "</div>"; });
      lg += "<div><i class='sw' style='background:" + P.no_demand + "'></i>" + T("no_demand") + "</div>";
    } else if (data.townships) {
      lg += "<div><i class='sw' style='background:#dbe6f3;border-color:#4a6fa5'></i>" + T("township_polygons") + "</div>";
    }
    if (compact) {
      if (data.sites) lg += "<div><i class='site-sw'>1</i>" + T("proposed_sites") + "</div>";
      legendControl(lg).addTo(map);
      noteControl("<span class='badge-approx'>" + T("illustrative") + "</span>").addTo(map);
      if (data.bounds) map.fitBounds(data.bounds, {padding: [4, 4]});
      return out;
    }
    if (data.counties) lg += "<div><i class='ln'></i>" + T("county_boundaries") + "</div>";
    if (data.facilities) lg += "<div><i class='dot' style='background:" + typeColor(data.type) + "'></i>" + T("existing_facilities") +
                               (data.type_name ? " · " + esc(data.type_name) : "") + "</div>";
    if (data.service_areas) lg += "<div><i class='sw' style='background:rgba(107,174,214,.35);border-color:#3182bd'></i>" + T("service_areas") +
                                  (data.standard_text ? " (" + esc(data.standard_text) + ")" : "") + "</div>";
    if (data.units) lg += "<div><i class='dot' style='background:#d7191c'></i>" + unc + "</div>" +
                          "<div><i class='dot small' style='background:#2b8cbe'></i>" + cov + "</div>";
    if (data.sites) lg += "<div><i class='site-sw'>1</i>" + T("proposed_sites") + "</div>";
    legendControl(lg).addTo(map);

    var note = "<span class='badge-approx'>" + T("illustrative") + "</span> " + T("approx_layers");
    if (data.is_estimate) note += "<br>" + T("estimate_note");
    noteControl(note).addTo(map);

    if (data.bounds) map.fitBounds(data.bounds, {padding: [8, 8]});
    else if (out.layers.counties) map.fitBounds(out.layers.counties.getBounds());
    return out;
  }

  function focusTownship(out, code) {
    if (!code || !out.layers.townships) return false;
    var hit = null;
    out.layers.townships.eachLayer(function (l) { if (l.feature && l.feature.properties.code === code) hit = l; });
    if (!hit) return false;
    out.map.fitBounds(hit.getBounds(), {padding: [40, 40], maxZoom: 12});
    hit.setStyle({weight: 3.5, color: "#000"});
    hit.bringToFront();
    hit.openPopup(hit.getBounds().getCenter());
    out.focused = code;
    return true;
  }

  function load(el) {
    window.coverplanMaps = window.coverplanMaps || {};
    el.classList.add("is-loading");
    return CP.json(el.dataset.layers, {headers: {"Accept": "application/json"}})
      .then(function (data) {
        el.classList.remove("is-loading");
        var out = build(el, data);
        if (el.dataset.township) focusTownship(out, el.dataset.township);
        window.coverplanMaps[el.id] = out;
        el.dataset.ready = "1";
        el.dispatchEvent(new CustomEvent("coverplan:ready", {detail: out}));
        return out;
      })
      .catch(function (err) {
        el.classList.remove("is-loading");
        el.innerHTML = "<div class='map-error'>" + T("load_failed") + ": " + esc((err && (err.message || err)) || "") + "</div>";
        el.dataset.ready = "error";
      });
  }

  window.CoverMap = {load: load, build: build, focusTownship: focusTownship};
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map[data-layers]").forEach(load);
  });
})();
