/* Coverplan maps: plain Leaflet fed by the JSON API (no CDN, no jQuery).
 * CoverMap.load(el) reads el.dataset.layers (a JSON URL) and draws whatever
 * layers the answer holds: counties, townships (coloured by covered share when
 * present), service areas, demand units, facilities, proposed sites.
 * The built map is exposed as window.coverplanMaps[el.id] for tests.
 *
 * Every vector layer is drawn on ONE canvas, in a fixed order (areas, townships,
 * counties, covered units, uncovered units, facilities). Leaflet's canvas hit
 * test picks the topmost shape, so a click on a village opens the village, not
 * the township under it, and points are painted over (not under) the township
 * fill. Proposed sites are DOM markers above everything, clustered when many.
 *
 * The element may also name capacity endpoints (data-capacity, data-beds,
 * data-access): those layers sit in the layer control, off, and are fetched the
 * first time they are switched on (addCapacityLayers). CoverMap.showUpgrades
 * draws upgrade candidates as numbered markers like proposed sites. */
(function () {
  "use strict";
  var C = CP.C, T = CP.T, esc = CP.esc, fmt = CP.fmt, pct = CP.pct;
  // Leaflet's own control labels in the page's language (screen readers and tooltips said "Zoom in")
  L.Control.Zoom.prototype.options.zoomInTitle = T("map_zoom_in");
  L.Control.Zoom.prototype.options.zoomOutTitle = T("map_zoom_out");

  // Covered-share classes and facility colours come from the server
  // (planner/palette.py, colours from data/facility_types.toml), so the offline map and the charts use the same ones.
  var P = C.palette;
  var SHARE_CLASSES = P.classes;
  var LABEL_ZOOM = 10;       // township names appear from this zoom on
  var CLUSTER_FROM = 40;     // proposals with more sites than this are clustered
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

  function control(position, cls, html) {
    var c = L.control({position: position});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", cls);
      d.innerHTML = html;
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      return d;
    };
    return c;
  }

  function row(k, v) { return "<tr><th>" + esc(k) + "</th><td>" + v + "</td></tr>"; }
  // County names in the page's language. Counties have English names (the counties layer's name_en);
  // rows name their county in Chinese (county_name), some in English too (county_name_en).
  // Township and village names are proper names: they have none.
  var COUNTY_EN = {};
  function learnCounties(fc) {
    ((fc && fc.features) || []).forEach(function (f) {
      var p = f.properties;
      if (p && p.name && p.name_en) COUNTY_EN[p.name] = p.name_en;
    });
  }
  function countyName(p) {
    if (!p) return "";
    if (C.lang !== "en") return p.county_name || "";
    return p.county_name_en || COUNTY_EN[p.county_name] || p.county_name || "";
  }
  // A demand point or candidate named after a county or township seat has an English name (name_en).
  function placeName(p) { return C.lang === "en" ? (p.name_en || p.name) : p.name; }
  function countyLabel(props) {  // a feature of the counties layer
    return C.lang === "en" ? (props.name_en || props.name) : props.name;
  }
  function costText(v, unit) {
    if (v == null) return "–";
    if (unit === "m") return v >= 1000 ? (v / 1000).toFixed(1) + " " + T("km") : fmt(v, 0) + " " + T("metres");
    return fmt(v, v >= 10 ? 0 : 1) + " " + T("minutes");
  }
  // What one unit of demand weight is, in words ("units" types count places, not people).
  function weightLabel(field) { return field && field !== "units" ? T("weight_" + field) : null; }

  function build(el, data) {
    var map = L.map(el, {zoomSnap: 0.25, maxZoom: 18, attributionControl: true, preferCanvas: true});
    // A popup opened under the top corners' boxes (place search, county filter, layer list) had its title
    // hidden: Leaflet keeps a popup inside the map, not clear of its controls. Once its own pan has
    // ended, the map moves the popup down below the lowest box it meets.
    map.on("popupopen", function (e) {
      setTimeout(function () {
        var pop = e.popup.getElement();
        if (!pop || !map.hasLayer(e.popup)) return;
        var pr = pop.getBoundingClientRect(), need = 0;
        el.querySelectorAll(".leaflet-top .leaflet-control").forEach(function (c) {
          var r = c.getBoundingClientRect();
          if (r.width && r.height && r.left < pr.right && r.right > pr.left && r.top < pr.bottom && r.bottom > pr.top) {
            need = Math.max(need, r.bottom - pr.top + 8);
          }
        });
        if (need > 0) map.panBy([0, -need]);
      }, 350);
    });
    map.attributionControl.setPrefix(false);
    addBasemap(map, C.basemap);
    var overlays = {}, out = {map: map, layers: {}, data: data};
    learnCounties(data.counties);
    var unit = data.unit || "min";
    var canvas = L.canvas({padding: 0.3, tolerance: 3});  // one canvas: thousands of dots stay smooth
    var villages = !data.demand || data.demand === "villages" || data.demand === "rural_villages";
    var unc = T(villages ? "uncovered_villages" : "uncovered_points"), cov = T(villages ? "covered_villages" : "covered_points");
    var wLabel = weightLabel(data.weight_field);
    // 示意 on the township and demand-point layers and popups: they show derived populations and coverage
    // of synthetic points until the planner imports his own (load() reads the region's provenance)
    var Q = data.illustrative || illustrativeOf(null);
    var townApprox = Q.townships || Q.population || Q.villages;
    var unitApprox = villages ? (Q.villages || Q.population) : (data.units_synthetic !== false || Q.population);
    var small = el.dataset.compact === "1";  // side-by-side and printed maps: smaller dots keep the colours readable
    // capacity / beds fills sit just above the township fill, accessibility dots with the other villages
    var ORDER = ["service_areas", "townships", "capacity", "beds", "counties", "covered_units", "uncovered_units", "access",
                 "candidates", "facilities", "focus"];

    if (data.service_areas) {
      out.layers.service_areas = L.geoJSON(data.service_areas, {
        renderer: canvas, interactive: false,
        style: {color: "#3182bd", weight: 0.6, fillColor: "#6baed6", fillOpacity: 0.18, interactive: false}
      }).addTo(map);
      overlays[T("service_areas") + (data.is_estimate ? " <span class='approx'>(" + T("illustrative") + ")</span>" : "")] = out.layers.service_areas;
    }

    if (data.townships) {
      var shaded = data.townships.features.length && "covered_share" in data.townships.features[0].properties;
      out.layers.townships = L.geoJSON(data.townships, {
        renderer: canvas,
        style: function (f) {
          var p = f.properties;
          return shaded ? {color: "#555", weight: 0.7, fillColor: shareColor(p.covered_share), fillOpacity: 0.55}
                        : {color: "#4a6fa5", weight: 0.8, fillColor: "#dbe6f3", fillOpacity: 0.5};
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(esc(p.name) + (shaded ? " · " + pct(p.covered_share) : ""), {sticky: true});
          var h = "<div class='pop'><h4>" + esc(p.name) + " <small>" + esc(countyName(p)) + "</small></h4><table>" +
                  row(T("code"), esc(p.code));
          if (!shaded || data.weight_field === "aged_60") h += row(T("aged_60"), fmt(p.aged_60));
          if (shaded) {
            h += row(T(wLabel ? "covered_share_weighted" : "covered_share_units"), pct(p.covered_share)) +
                 row(T("covered_units"), fmt(p.covered_units) + " / " + fmt(p.units));
            if (wLabel) h += row(T("covered_label") + " · " + wLabel, fmt(p.covered_weight) + " / " + fmt(p.weight));
            if (p.status) h += row(T("status"), "<span class='st st-" + esc(p.status) + "'>" + T("status_" + p.status) + "</span>");
            if (p.reason) h += row(T("reason"), esc(p.reason));  // names the nearest facility and its cost
          } else if (p.area_km2 != null) {
            h += row("km²", fmt(p.area_km2, 1));
          }
          if (townApprox) h += approxRow();
          layer.bindPopup(h + "</table></div>");
          layer.feature = f;
        }
      }).addTo(map);
      overlays[townApprox ? tagged(T("township_polygons")) : T("township_polygons")] = out.layers.townships;
      addTownshipLabels(map, out);
    }

    if (data.counties) {
      out.layers.counties = L.geoJSON(data.counties, {
        renderer: canvas, interactive: false,
        style: {color: "#1b2a41", weight: 2.2, fill: false, interactive: false}
      }).addTo(map);
      overlays[T("county_boundaries")] = out.layers.counties;
    }

    if (data.units) {
      var mk = function (covered) {
        return L.geoJSON(data.units, {
          filter: function (f) { return !!f.properties.covered === covered; },
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, covered
              ? {renderer: canvas, radius: small ? 1.8 : 3, color: "#1c6e99", weight: 0.5, fillColor: "#2b8cbe", fillOpacity: 0.85}
              : {renderer: canvas, radius: small ? 2.4 : 4.5, color: "#fff", weight: small ? 0.6 : 1.2, fillColor: "#d7191c",
                 fillOpacity: 1});
          },
          onEachFeature: function (f, layer) {
            var p = f.properties;
            layer.bindTooltip(esc(placeName(p)) + " · " + (p.covered ? T("covered") : T("uncovered")));
            var beyond = !p.covered && p.cost != null && p.standard != null && p.cost > p.standard;
            layer.bindPopup("<div class='pop unit-pop'><h4>" + esc(placeName(p)) + "</h4><table>" +
              row(T("township"), esc(p.township_name)) + row(T("code"), esc(p.id)) +
              (wLabel ? row(wLabel, fmt(p.weight)) : "") +
              row(T("nearest_facility"), esc(p.nearest_name || T("none"))) +
              row(T("cost"), costText(p.cost, unit)) + row(T("standard"), costText(p.standard, unit)) +
              row(T("status"), p.covered ? T("covered") : "<b class='bad'>" + T("uncovered") + "</b>" +
                  (beyond ? " (" + T("beyond_by") + " " + costText(p.cost - p.standard, unit) + ")" : "")) +
              // an imported (official) point is not 示意 where it stands; only its derived population is
              (p.location_quality === "official" ? (Q.population ? row(T("quality"), "<span class='approx'>" + T("q_loc_official_pop_derived") + "</span>") : "")
                : unitApprox ? approxRow() : "") + "</table></div>");
            layer.feature = f;
          }
        });
      };
      out.layers.covered_units = mk(true);
      out.layers.uncovered_units = mk(false).addTo(map);
      overlays[unitApprox ? tagged(unc) : unc] = out.layers.uncovered_units;
      overlays[unitApprox ? tagged(cov) : cov] = out.layers.covered_units;
    }

    if (data.candidates) {
      // Candidate sites for new facilities, with the planner's marks: off by default (there can be
      // thousands), shown at once when some are marked so the marks are never out of sight.
      var MARK = {required: {color: "#1a7f37", fill: "#2da44e"}, forbidden: {color: "#24292f", fill: "#6e7781"}};
      out.layers.candidates = L.geoJSON(data.candidates, {
        pointToLayer: function (f, ll) {
          var m = MARK[f.properties.mark];
          var own = f.properties.kind === "planner_site";  // the planner's own site: larger, orange ring
          return L.circleMarker(ll, m ? {renderer: canvas, radius: own ? 7 : 5.5, color: own ? "#e36209" : m.color, weight: 2.5,
                                         fillColor: m.fill, fillOpacity: 0.9}
                                      : {renderer: canvas, radius: own ? 6 : 4, color: own ? "#e36209" : "#8250df",
                                         weight: own ? 2.5 : 1.5, fill: false});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(esc(placeName(p)) + " · " + T("candidate_site") + (p.mark ? " · " + T("mark_" + p.mark) : ""));
          layer.bindPopup("<div class='pop cand-pop'><h4>" + esc(placeName(p)) + " <small>" + T("candidate_site") + "</small></h4><table>" +
            row(T("code"), esc(p.id)) + row(T("township"), esc(p.township_name)) + row(T("county"), esc(countyName(p))) +
            (p.kind === "planner_site" ? row(T("quality"), T("planner_site")) : "") +
            row(T("planner_mark"), p.mark ? "<b class='mark-" + esc(p.mark) + "'>" + T("mark_" + p.mark) + "</b>" +
                (p.mark_scope === "all" ? " (" + T("mark_all_types") + ")" : "") : T("none")) +
            "</table></div>");
          layer.feature = f;
        }
      });
      var ownSites = data.candidates.features.some(function (f) { return f.properties.kind === "planner_site"; });
      if (ownSites || (data.marks && (data.marks.required || data.marks.forbidden))) out.layers.candidates.addTo(map);
      overlays[T("candidate_sites") + (data.candidates_synthetic ? " <span class='approx'>(" + T("illustrative") + ")</span>" : "") + (data.marks && (data.marks.required || data.marks.forbidden)
        ? " <span class='small'>(" + T("marks_count").replace("{r}", data.marks.required).replace("{f}", data.marks.forbidden) + ")</span>" : "")] = out.layers.candidates;
    }

    if (data.facilities) {
      out.layers.facilities = L.geoJSON(data.facilities, {
        pointToLayer: function (f, ll) {
          var c = typeColor(f.properties.facility_type);
          return L.circleMarker(ll, {renderer: canvas, radius: 6.5, color: "#fff", weight: 2, fillColor: c, fillOpacity: 1});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindTooltip(esc(p.name));
          layer.bindPopup("<div class='pop'><h4>" + esc(p.name) + "</h4><table>" + row(T("code"), esc(p.id)) +
            row(T("township"), esc(p.township_name || p.township_code)) +
            ["address", "operator", "phone", "remark"].map(function (k) { return p[k] ? row(T("field_" + k), esc(p[k])) : ""; }).join("") +
            (data.capacity_unit ? row(T("fac_capacity"), p.capacity == null ? T("capacity_unknown_short")
              : esc(fmt(p.capacity) + (C.lang === "en" ? " " : "") + data.capacity_unit)) : "") +
            // the server words where the row comes from (an import's file, added or changed on the map)
            (p.source_text ? row(T("map_source"), esc(p.source_text)) : "") +
            (p.synthetic ? row(T("quality"), "<span class='approx'>" + T("illustrative") + "</span>") : "") +
            "</table></div>");
          layer.feature = f;
        }
      }).addTo(map);
      overlays[T("existing_facilities") + (data.facilities_synthetic ? " <span class='approx'>(" + T("illustrative") + ")</span>" : "")] = out.layers.facilities;
    }

    // an upgrade's or conversion's sites are existing facilities, not new ones
    var pk = data.proposal || {};
    var sitesLabel = T(pk.kind === "upgrade" ? (pk.converted ? "capw_converted_sites" : "capw_upgraded_sites") : "proposed_sites");
    // the cluster bubbles' entry says what they gather: an upgrade's and a conversion's are existing facilities,
    // not proposed sites (QA 31)
    var clusterWhat = pk.kind === "upgrade" ? (pk.converted ? "_converted" : "_upgraded") : "";
    // ...and sample ones while the register is the sample (the page says so: data-sites-synthetic, from the
    // proposal's sites). A conversion's map is the target type's (regional centres, none or imported): its
    // facilities flag said nothing of the welfare homes it converts.
    var sitesSynthetic = pk.kind === "upgrade" && el.dataset.sitesSynthetic === "1";
    // 示意 when all of them are the sample's, 部分示意 when only some are (data-sites-sample, QA 35)
    var sitesSample = esc(el.dataset.sitesSample || T("illustrative"));
    if (sitesSynthetic) sitesLabel += C.lang === "en" ? " <span class='approx'>(" + sitesSample + ")</span>"
      : "<span class='approx'>（" + sitesSample + "）</span>";  // full-width brackets in Chinese
    if (data.sites) {
      var n = data.sites.features.length;
      var clustered = n > CLUSTER_FROM && typeof L.markerClusterGroup === "function";
      var group = clustered ? L.markerClusterGroup({maxClusterRadius: 45, spiderfyOnMaxZoom: true, chunkedLoading: true})
                            : L.featureGroup();
      L.geoJSON(data.sites, {
        pointToLayer: function (f, ll) {
          return L.marker(ll, {icon: L.divIcon({className: "site-icon", html: "<span>" + esc(f.properties.priority) + "</span>",
                                               iconSize: [24, 24], iconAnchor: [12, 12]}),
                              zIndexOffset: 1000 - (f.properties.priority || 0)});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.feature = f;
          layer.bindTooltip(T("priority") + " " + esc(p.priority) + " · " + esc(p.name));
          var reason = C.lang === "en" ? (p.reason_en || "") : (p.reason_zh || "");
          layer.bindPopup("<div class='pop'><h4>#" + esc(p.priority) + " " + esc(p.name) + "</h4>" +
            (reason ? "<p class='reason'>" + esc(reason) + "</p>" : "") + "<table>" +
            row(T("township"), esc(p.township_name)) + row(T("county"), esc(countyName(p))) +
            (p.size != null  // a sized proposal's site (issue 16): its size and use, not coverage gains
              ? row(T("capw_size"), fmt(p.size)) + row(T("capw_utilisation"), pct(p.utilisation)) +
                row(T(pk.points === "townships" ? "qa35f3_col_n_townships" : "capw_n_villages"), fmt(p.assigned_villages))
              : p.capacity_before != null  // an upgraded or converted facility: its capacity and who more it serves
              ? row(T("capw_capacity_before") + " → " + T("capw_capacity_after"), fmt(p.capacity_before) + " → " + fmt(p.capacity_after)) +
                row(T(pk.converted ? "capw_added_served_converted" : "capw_added_served"), fmt(p.added_served))
              : (wLabel ? row(T("added_weight") + " · " + wLabel, fmt(p.added_weight)) : "") +
                row(T("added_units"), fmt(p.added_units)) +
                row(T("farthest_cost"), costText(p.farthest_cost, unit)) +
                row(T("nearest_existing"), esc(p.nearest_existing_name || p.nearest_existing_id || T("none")) +
                    (p.nearest_existing_cost != null ? " (" + costText(p.nearest_existing_cost, unit) + ")" : ""))) +
            "</table></div>");
          group.addLayer(layer);
        }
      });
      out.layers.sites = group.addTo(map);
      out.clustered = clustered;
      overlays[sitesLabel + (clustered ? " <span class='small'>(" + T("clustered") + ")</span>" : "")] = group;
    }

    // Toggling a layer off and on re-adds it at the top of the canvas: restore the order.
    out.reorder = function () {
      ORDER.forEach(function (k) { if (out.layers[k] && map.hasLayer(out.layers[k]) && out.layers[k].bringToFront) out.layers[k].bringToFront(); });
    };
    map.on("overlayadd", out.reorder);
    addCapacityLayers(el, out, overlays, canvas);

    var compact = el.dataset.compact === "1";  // side-by-side maps: keep the controls out of the way
    // on a phone the open layer list covered half the map and the search box: a button there
    var narrow = window.matchMedia && window.matchMedia("(max-width: 760px)").matches;
    out.control = L.control.layers(null, overlays, {collapsed: compact || narrow, position: "topright"}).addTo(map);
    var toggle = out.control.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle) { toggle.title = T("map_layers"); toggle.setAttribute("aria-label", T("map_layers")); }
    L.control.scale({imperial: false}).addTo(map);
    if (!compact && el.dataset.search !== "0") {
      addSearch(out);
      if (data.counties) addCountyFilter(out);
    }

    // Each key names the layer it explains (data-lg, keys of out.layers): it shows while that layer does
    // (syncLegend), so the legend never lists what the map does not show (QA 26: every key over an empty map).
    var lgKey = function (layer, html) { return "<div data-lg='" + layer + "'>" + html + "</div>"; };
    var lg = "<h5>" + T("legend") + "</h5>";
    if (data.townships && data.townships.features.length && "covered_share" in data.townships.features[0].properties) {
      // swatches two to a row on full-size maps (app.css): the open legend fits under the layer list at 1366x768
      lg += lgKey("townships", "<div class='lg-title'>" + T(wLabel ? "legend_share" : "legend_share_units") + "</div><div class='lg-grid'>" +
        SHARE_CLASSES.map(function (c) { return "<div><i class='sw' style='background:" + c.color + "'></i>" + c.label + "</div>"; }).join("") +
        "<div><i class='sw' style='background:" + P.no_demand + "'></i>" + T("no_demand") + "</div></div>");
    } else if (data.townships) {
      lg += lgKey("townships", "<i class='sw' style='background:#dbe6f3;border-color:#4a6fa5'></i>" + T("township_polygons"));
    }
    if (compact) {
      if (data.sites) lg += lgKey("sites", "<i class='site-sw'>1</i>" + sitesLabel);
      // the printed brief has its key under the map: no legend box over it; the small side-by-side
      // maps (compare) start with it folded, or it covers a third of the region
      if (el.dataset.legend !== "0") syncLegend(out, out.legend = foldableLegend(map, lg, true));
      // the brief's key under the map is the template's; cluster bubbles appear only when the sites
      // are many, so their entry is added here, where that is known
      var key = el.dataset.legend === "0" && out.clustered && el.closest("figure") && el.closest("figure").querySelector(".brief-key");
      if (key && !key.querySelector(".cluster-sw")) {
        var k = document.createElement("span");
        k.className = "k-cluster";
        k.innerHTML = "<i class='cluster-sw'>9</i>" + esc(T("brief_cluster_key" + clusterWhat));
        key.appendChild(k);
      }
      control("bottomleft", "map-note", "<span class='badge-approx'>" + T("illustrative") + "</span>").addTo(map);
      if (data.bounds) map.fitBounds(data.bounds, {padding: [4, 4]});
      return out;
    }
    if (data.counties) lg += lgKey("counties", "<i class='ln'></i>" + T("county_boundaries"));
    if (data.facilities) lg += lgKey("facilities", "<i class='dot' style='background:" + typeColor(data.type) + "'></i>" + T("existing_facilities") +
                                   (data.type_name ? " · " + esc(data.type_name) : ""));
    if (data.service_areas) lg += lgKey("service_areas", "<i class='sw' style='background:rgba(107,174,214,.35);border-color:#3182bd'></i>" +
                                      T("service_areas") + (data.standard_text ? " (" + esc(data.standard_text) + ")" : ""));
    if (data.candidates) lg += lgKey("candidates", "<i class='dot cand'></i>" + T("candidate_sites") + " · " +
      "<i class='dot cand own'></i>" + T("planner_site")) +
      lgKey("candidates", "<i class='dot' style='background:#2da44e;border-color:#1a7f37'></i>" + T("mark_required") + " · " +
      "<i class='dot' style='background:#6e7781;border-color:#24292f'></i>" + T("mark_forbidden"));
    if (data.units) lg += lgKey("uncovered_units", "<i class='dot' style='background:#d7191c'></i>" + unc) +
                          lgKey("covered_units", "<i class='dot small' style='background:#2b8cbe'></i>" + cov);
    if (data.sites) lg += lgKey("sites", "<i class='site-sw'>1</i>" + sitesLabel) +
                          (out.clustered ? lgKey("sites", "<i class='cluster-sw'>9</i>" + T("cluster_legend" + clusterWhat)) : "");
    if (out.capacityLayers) {  // one scale for capacity, beds and accessibility: supply against the standard
      // shown only while one of those layers is on (they start off): otherwise it explains nothing on the map
      // titled (and, for beds alone, labelled in beds per 1,000) for the layers that are on: see capOn below
      // two scales: capacity and accessibility as a share of the standard; beds per 1,000 in classes of their own
      // (the counties lie at 3-20 of the standard's 40: one "< 20" class made them all one colour, QA 20)
      var swatches = function (classes) {
        return classes.map(function (c) { return "<div><i class='sw' style='background:" + c.color + "'></i><span>" + esc(c.label) + "</span></div>"; }).join("");
      };
      // (beds first: drawn above the townships' capacity fill)
      lg += "<div class='lg-cap' hidden><div class='lg-beds' hidden><div class='lg-title'>" + T("capw_legend_beds_ratio") +
            "</div><div class='lg-grid'>" + swatches(BEDS_CLASSES) + "</div></div><div class='lg-ratio' hidden><div class='lg-title'>" +
            T("capw_legend_ratio") + "</div><div class='lg-grid'>" + swatches(RATIO_CLASSES) + "</div></div></div>";
    }
    // The legend folds to its title (a button) so that it does not hide the east of the region (丹江口)
    // on a laptop screen: folded from the start below 1400 px wide, open on wider screens.
    var lgEl = foldableLegend(map, lg, window.innerWidth < 1400);
    out.legend = lgEl;
    syncLegend(out, lgEl);
    if (out.capacityLayers) {
      var capKeys = ["capacity", "beds", "access"];
      var capOn = function () {
        var box = lgEl.querySelector(".lg-cap"), ratioBox = box.querySelector(".lg-ratio"), bedsBox = box.querySelector(".lg-beds");
        var on = capKeys.filter(function (k) { return out.layers[k] && map.hasLayer(out.layers[k]); });
        var ratioOn = on.filter(function (k) { return k !== "beds"; }), bedsOn = on.indexOf("beds") >= 0;
        box.hidden = !on.length;
        ratioBox.hidden = !ratioOn.length;
        bedsBox.hidden = !bedsOn;
        ratioBox.querySelector(".lg-title").textContent =
          T(ratioOn.length > 1 ? "capw_legend_mixed" : ratioOn[0] === "access" ? "capw_legend_access" : "capw_legend_ratio");
        // the beds layer reads as beds per 1,000 aged 60+ against the standard's figure (40), once it is known
        var std = out.loaded && out.loaded.beds && out.loaded.beds.standard && out.loaded.beds.standard.per_1000;
        bedsBox.querySelector(".lg-title").textContent = T(std ? "capw_legend_beds" : "capw_legend_beds_ratio").replace("{std}", fmt(std));
        var labels = BEDS_CLASSES.map(function (c, i) {
          if (!std) return c.label;
          var lo = fmt(c.min * std, 1), hi = i ? fmt(BEDS_CLASSES[i - 1].min * std, 1) : null;
          return c.min < 0 ? "0" : !hi ? "≥ " + lo : c.min < 1e-6 ? "< " + hi : lo + "–" + hi;
        });
        bedsBox.querySelectorAll(".lg-grid span").forEach(function (s, i) { s.textContent = labels[i]; });
      };
      out.onLoaded = capOn;  // the beds standard arrives with the layer
      // any way a layer goes on or off (the layer list, code, a failed load): only those three matter
      map.on("layeradd layerremove", function (e) {
        // beds (by county, opaque) and capacity (by township) both fill the area: one on top hid the other
        // while the legend showed both (QA 20), so switching one on switches the other off
        var other = e.type === "layeradd" && (e.layer === out.layers.beds ? out.layers.capacity :
                                              e.layer === out.layers.capacity ? out.layers.beds : null);
        // (after the layer list has handled its click: removed inside it, the other's box stayed ticked)
        if (other && map.hasLayer(other)) setTimeout(function () { map.removeLayer(other); }, 0);
        if (capKeys.some(function (k) { return out.layers[k] === e.layer; })) capOn();
      });
      capOn();
    }

    // what is illustrative, as the data say it now: an imported register or boundary file is not
    // (a layer answer without the flags, the overview's: the header's list of illustrative layers decides)
    var ill = C.illustrative || ["townships", "villages", "facilities"];
    var flag = function (v, layer) { return v === undefined ? ill.indexOf(layer) >= 0 : v !== false; };
    var approx = [];
    // the page words the boundaries, villages and registers from the region's provenance (how many boundaries
    // and villages are still approximate, with the file the others came in; which types' registers are still
    // the sample's: web/pages.py map_approx); else the generic words
    var said = function (key, fallback) { var v = el.dataset[key]; return v === undefined ? fallback : v; };
    if (flag(data.townships_approximate, "townships")) { var at = said("approxTowns", T("approx_towns")); if (at) approx.push(at); }
    if (flag(data.units_synthetic, "villages")) { var av = said("approxVillages", T("approx_villages")); if (av) approx.push(av); }
    // numbered sites that are sample rows (an upgrade's, a conversion's): the page words the registers of what is
    // drawn (web.proposals.map_facilities: "partly synthetic" where only partly, QA 35); never nothing
    if (sitesSynthetic) approx.push(said("approxFacilities", "") || T("approx_facilities"));
    else if (flag(data.facilities_synthetic, "facilities")) { var af = said("approxFacilities", T("approx_facilities")); if (af) approx.push(af); }
    var lines = [];
    if (approx.length) lines.push("<span class='badge-approx'>" + T("illustrative") + "</span> " + T("approx_lead") +
                                  approx.join(C.lang === "en" ? ", " : "，"));
    if (data.is_estimate) lines.push(T(unit === "m" ? "estimate_note_m" : "estimate_note"));
    var note = lines.join("<br>");
    if (note) control("bottomleft", "map-note", note).addTo(map);

    fitRegion(out);
    return out;
  }

  // Fit the region into the part of the map the controls leave free: left of the right-hand
  // column (layer list, legend), and clear of the left-hand boxes (zoom, search, county filter,
  // the 示意 note, the scale), which sit over the region's north-west and southern tip
  // (竹溪/竹山/房县) at laptop widths. Leaflet's fitBounds pads whole sides only, so the
  // region's own outline is tried at the fitted zoom, then a quarter step out at a time,
  // shifted within the free width and height, nearest the centre first.
  function fitRegion(out) {
    var map = out.map, el = map.getContainer(), data = out.data;
    // a zoom animation still running (a county picked a moment ago) would land after this fit and undo it
    // (Leaflet starts an animated zoom on the next frame, so _animatingZoom alone misses a county
    // picked in the same moment: focusCounty marks its move pending until the move ends)
    if (map._animatingZoom || out.countyMoving) {
      map.once(out.countyMoving ? "moveend" : "zoomend", function () { fitRegion(out); });
      return;
    }
    var rightCol = el.querySelector(".leaflet-right");
    var fit = {paddingTopLeft: [8, 8], paddingBottomRight: [8 + (rightCol ? rightCol.offsetWidth : 0), 8]};
    var bounds = data.bounds ? L.latLngBounds(data.bounds) : out.layers.counties ? out.layers.counties.getBounds() : null;
    if (!bounds || !bounds.isValid()) return;
    map.fitBounds(bounds, L.extend({animate: false}, fit));  // (getZoom below must be the fitted zoom)
    var size = map.getSize(), right = size.x - fit.paddingBottomRight[0], box = el.getBoundingClientRect();
    var outline = [];
    if (out.layers.counties) out.layers.counties.eachLayer(function (l) {
      if (l.getLatLngs) outline = outline.concat(flat(l.getLatLngs()));
    });
    var blocks = [];
    el.querySelectorAll(".leaflet-left .leaflet-control").forEach(function (c) {
      var r = c.getBoundingClientRect();
      if (r.width && r.height) blocks.push({l: r.left - box.left - 4, t: r.top - box.top - 4, r: r.right - box.left + 4, b: r.bottom - box.top + 4});
    });
    if (!outline.length || !blocks.length || right <= 16 || size.y <= 16) return;
    var step = map.options.zoomSnap || 0.25, z0 = map.getZoom();
    for (var z = z0; z >= z0 - 1.5; z -= step) {
      var pts = outline.map(function (ll) { return map.project(ll, z); });
      var b = L.bounds(pts), w = b.max.x - b.min.x, h = b.max.y - b.min.y;
      if (w > right - 16 || h > size.y - 16) continue;
      // x0, y0: the container's top-left corner in projected pixels; the free area is [8, right-8] x [8, size.y-8]
      var xs = range(b.max.x - (right - 8), b.min.x - 8), ys = range(b.max.y - (size.y - 8), b.min.y - 8);
      var cands = [];
      xs.forEach(function (x0) { ys.forEach(function (y0) { cands.push([x0, y0]); }); });
      var cx = (xs[0] + xs[xs.length - 1]) / 2, cy = (ys[0] + ys[ys.length - 1]) / 2;
      cands.sort(function (a, c) { return Math.hypot(a[0] - cx, a[1] - cy) - Math.hypot(c[0] - cx, c[1] - cy); });
      for (var i = 0; i < cands.length; i++) {
        var x0 = cands[i][0], y0 = cands[i][1];
        var hit = pts.some(function (p) {
          var x = p.x - x0, y = p.y - y0;
          return blocks.some(function (k) { return x >= k.l && x <= k.r && y >= k.t && y <= k.b; });
        });
        if (!hit) { map.setView(map.unproject(L.point(x0 + size.x / 2, y0 + size.y / 2), z), z, {animate: false}); return; }
      }
    }
    // nothing clears every box within a zoom and a half: keep the plain fit
  }
  // from lo to hi in steps of about 8 px (both ends included)
  function range(lo, hi) {
    var n = Math.max(1, Math.ceil((hi - lo) / 8)), out = [];
    for (var i = 0; i <= n; i++) out.push(lo + (hi - lo) * i / n);
    return out;
  }
  function flat(a) { return a.reduce(function (acc, x) { return acc.concat(L.Util.isArray(x) ? flat(x) : [x]); }, []); }

  // -- how much, not only where (issue 16) -------------------------------------
  // Capacity (township fill), beds (county fill) and accessibility (village dots) are
  // coloured by supply against the type's standard. They are off by default and fetched
  // from their own endpoints the first time they are switched on, so the map's first
  // load is not slower. Their numbers rest on synthetic capacities and derived
  // populations: every label and popup says 示意.
  var RATIO_CLASSES = [
    {min: 1.0, color: "#1a9850", label: "≥ 100%"}, {min: 0.8, color: "#a6d96a", label: "80–100%"},
    {min: 0.5, color: "#fdae61", label: "50–80%"}, {min: 1e-9, color: "#d73027", label: "< 50%"},
    {min: -1, color: "#7f0000", label: "0"}];
  // Beds per 1,000 aged 60+ by county: the counties lie at 3-20 against the standard's 40, so the classes below
  // half the standard are split (a fifth of it, a quarter ...), each its own colour; labelled in beds per 1,000
  // once the standard is known (capOn).
  var BEDS_CLASSES = [
    {min: 1.0, color: "#1a9850", label: "≥ 100%"}, {min: 0.75, color: "#a6d96a", label: "75–100%"},
    {min: 0.5, color: "#fee08b", label: "50–75%"}, {min: 0.375, color: "#fdae61", label: "37.5–50%"},
    {min: 0.25, color: "#f46d43", label: "25–37.5%"}, {min: 0.125, color: "#d73027", label: "12.5–25%"},
    {min: 1e-9, color: "#a50026", label: "< 12.5%"}, {min: -1, color: "#4d4d4d", label: "0"}];
  function ratioColor(r, classes) {
    classes = classes || RATIO_CLASSES;
    if (r == null) return P.no_demand;
    for (var i = 0; i < classes.length; i++) if (r >= classes[i].min) return classes[i].color;
    return classes[classes.length - 1].color;
  }
  function tagged(label) { return label + " <span class='approx'>(" + T("illustrative") + ")</span>"; }
  function approxRow() { return row(T("quality"), "<span class='approx'>" + T("illustrative") + "</span>"); }
  function capUnit(field) { return T("capw_unit_" + field); }
  // A ratio per 1,000 with one decimal always (7.0, not the 7 that fmt(…, 1) writes for 6.97), and what it
  // counts per whom: "每千名60岁以上老人日托位" / "Day places per 1,000 people aged 60+".
  function ratio1(v) {
    if (v == null || !isFinite(v)) return "–";
    return v.toLocaleString(C.lang === "en" ? "en-US" : "zh-CN", {minimumFractionDigits: 1, maximumFractionDigits: 1});
  }
  function per1000Label(field, basis) {
    if (!field || !basis) return T("capw_per_1000");
    return T("capw_per_1000_of").replace("{basis}", T("capw_basis_" + basis)).replace("{unit}", T("capw_noun_" + field));
  }

  // A layer filled the first time it is shown: fetch(url) -> fill(layer, answer).
  function lazy(out, key, layer, url, fill) {
    var state = null;
    out.layers[key] = layer;
    layer.on("add", function () {
      if (state) return;
      state = "loading";
      out.map.getContainer().classList.add("is-loading");
      CP.json(url).then(function (answer) {
        fill(layer, answer);
        out.loaded = out.loaded || {};
        out.loaded[key] = answer;
        state = "done";
        if (out.onLoaded) out.onLoaded(key);
        out.reorder();
      }).catch(function (err) {
        state = null;  // switching it on again tries again
        if (out.map.hasLayer(layer)) out.map.removeLayer(layer);
        alert(T("load_failed") + ": " + ((err && (err.message || err.error)) || ""));
      }).then(function () { out.map.getContainer().classList.remove("is-loading"); });
    });
  }

  // a need or shortfall in whole places, rounded up (a fraction of a bed short is a bed short)
  function up(v) { return v == null || !isFinite(v) ? v : Math.ceil(v - 1e-9); }
  function capacityPopup(p, meta, title) {
    var f = meta.field, basis = T("capw_basis_" + meta.basis);
    return "<div class='pop cap-pop'><h4>" + esc(title) + "</h4><table>" +
      row(T("capw_supply"), fmt(p.supply) + " " + capUnit(f)) +
      row(T("capw_demand"), fmt(p.demand) + " " + basis) +
      row(per1000Label(f, meta.basis), ratio1(p.ratio_per_1000) + " / " + fmt(p.standard_per_1000, 1) + " " + T("capw_standard_short")) +
      // whole places, rounded up as the checklist rounds them (0.48 short is 1 place short, not "0 · not met")
      row(T("capw_required"), fmt(up(p.required)) + " " + capUnit(f)) +
      row(T("capw_ratio_to_standard"), pct(p.ratio_to_standard)) +
      row(T("capw_shortfall"), (p.shortfall > 0 ? "<b class='bad'>" + fmt(up(p.shortfall)) + "</b>" : "0") + " " + capUnit(f)) +
      (p.status ? row(T("status"), "<span class='st st-" + esc(p.status) + "'>" + T("status_" + p.status) + "</span>") : "") +
      // a register without its capacity column counts those facilities as 0: said, or 0% read as "no facilities"
      (p.facilities > p.capacity_known ? row(T("capw_cap_unknown"), "<b class='bad'>" + fmt(p.facilities - p.capacity_known) +
        "</b> / " + fmt(p.facilities)) : "") +
      approxRow() + "</table></div>";
  }

  function addCapacityLayers(el, out, overlays, canvas) {
    var d = el.dataset, map = out.map;
    if (!d.capacity && !d.access && !d.beds) return;
    out.capacityLayers = true;
    if (d.capacity) {
      var cap = L.geoJSON(null, {
        renderer: canvas,
        // opaque, as the beds layer: at 0.7 over the township covered-share fill its colours blended
        // into shades the legend does not have
        style: function (f) { return {color: "#444", weight: 0.6, fillColor: ratioColor(f.properties.ratio_to_standard), fillOpacity: 1}; },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.feature = f;
          layer.bindTooltip(esc(p.name) + " · " + pct(p.ratio_to_standard), {sticky: true});
          layer.bindPopup(function () {
            return capacityPopup(p, cap.meta, p.name + " · " + countyName(p));
          });
        }
      });
      lazy(out, "capacity", cap, d.capacity, function (layer, fc) { layer.meta = fc.coverplan || {}; layer.addData(fc); });
      overlays[tagged(T("capw_layer_capacity"))] = cap;
    }
    if (d.beds && out.data.counties) {
      // beds of every care type per 1,000 aged 60+, per county, against the city's standard (40)
      var beds = L.geoJSON(null, {
        renderer: canvas,
        // opaque: at 0.6 over the township fill its red read as the legend's dark "0" (QA 20); drawn as the legend shows it
        style: function (f) { return {color: "#1b2a41", weight: 1.5, fillColor: ratioColor(f.properties.ratio_to_standard, BEDS_CLASSES), fillOpacity: 1}; },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.feature = f;
          layer.bindTooltip(esc(p.name) + " · " + ratio1(p.ratio_per_1000) + " / " + fmt(p.standard_per_1000, 1), {sticky: true});
          layer.bindPopup(function () { return capacityPopup(p, beds.meta, p.name + " · " + T("capw_layer_beds")); });
        }
      });
      lazy(out, "beds", beds, d.beds, function (layer, rep) {
        layer.meta = {field: rep.field, basis: rep.basis};
        var byCode = {};
        rep.by_county.forEach(function (r) { byCode[r.county_code] = r; });
        layer.addData({type: "FeatureCollection", features: out.data.counties.features.map(function (f) {
          var r = byCode[f.properties.code] || {};
          return {type: "Feature", geometry: f.geometry, properties: Object.assign({}, r, {
            code: f.properties.code, name: C.lang === "en" ? (r.name_en || countyLabel(f.properties)) : f.properties.name})};
        })});
      });
      overlays[tagged(T("capw_layer_beds"))] = beds;
    }
    if (d.access) {
      var acc = L.geoJSON(null, {
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, {renderer: canvas, radius: 4, color: "#333", weight: 0.6,
                                     fillColor: ratioColor(f.properties.ratio_to_standard), fillOpacity: 0.95});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.feature = f;
          layer.bindTooltip(esc(p.name) + " · " + ratio1(p.access_per_1000));
          layer.bindPopup(function () {
            var m = acc.meta || {};
            return "<div class='pop access-pop'><h4>" + esc(p.name) + " <small>" + esc(p.township_name) + "</small></h4><table>" +
              row(T("capw_access_value"), "<b>" + ratio1(p.access_per_1000) + "</b> / " + fmt(m.standard_per_1000, 1) + " " +
                  T("capw_standard_short") + (m.field ? "<div class='small muted'>" + esc(per1000Label(m.field, m.basis)) + "</div>" : "")) +
              row(T("capw_ratio_to_standard"), pct(p.ratio_to_standard)) +
              row(T("capw_demand"), fmt(p.demand) + " " + T("capw_basis_" + m.basis)) +
              row(T("capw_sites_in_reach"), fmt(p.sites_in_reach)) +
              row(T("capw_method"), "E2SFCA · " + esc(m.weight_text || "")) +
              approxRow() + "</table>" +
              (m.notes || []).map(function (n) { return "<p class='small muted'>" + esc(n) + "</p>"; }).join("") + "</div>";
          });
        }
      });
      lazy(out, "access", acc, d.access, function (layer, fc) { layer.meta = fc.coverplan || {}; layer.addData(fc); });
      overlays[tagged(T("capw_layer_access"))] = acc;
    }
  }

  // The legend's keys (data-lg) shown while their layer is on the map, however it went on or off (the layer
  // list, a place found, a county picked, a failed load); the capacity keys have their own rule (capOn).
  function syncLegend(out, lgEl) {
    if (!lgEl) return;
    var map = out.map;
    var sync = function () {
      lgEl.querySelectorAll("[data-lg]").forEach(function (d) {
        var l = out.layers[d.dataset.lg], on = !!l && map.hasLayer(l);
        if (d.hidden === on) d.hidden = !on;
      });
    };
    out.syncLegend = sync;
    // (every village dot going on fires layeradd too: only the layers with a key count)
    map.on("layeradd layerremove", function (e) {
      for (var k in out.layers) if (out.layers[k] === e.layer) { sync(); return; }
    });
    sync();
  }

  // The numbered upgrade markers' key, worded as on a proposal's page (拟改造提升设施 / 拟转型设施, 示意 while the
  // facilities are the sample register's), placed after the sites' key and before the capacity keys.
  function upgradeKey(out, fc) {
    var body = out.legend && out.legend.querySelector(".lg-body");
    if (!body) return;  // a map without a legend box (the printed brief's)
    var synthetic = fc.features.some(function (f) { return f.properties.synthetic; });
    // partly where only some are the sample's (QA 35), as a proposal's key says it
    var all = synthetic && fc.features.every(function (f) { return f.properties.synthetic; });
    var line = document.createElement("div");
    line.dataset.lg = "upgrades";
    line.className = "lg-upgrades";
    // the markers' colour (app.css .site-icon.upgrade-icon span)
    line.innerHTML = "<i class='site-sw upgrade-sw' style='background:#6a3d9a'>1</i>" +
      T((fc.coverplan || {}).role ? "capw_converted_sites" : "capw_upgraded_sites") +
      (synthetic ? " <span class='approx'>(" + T(all ? "illustrative" : "qa35f9_partly_illustrative") + ")</span>" : "");
    body.insertBefore(line, body.querySelector(".lg-cap"));
    if (out.syncLegend) out.syncLegend();
  }

  // Upgrade candidates: the K existing facilities to upgrade (or convert), numbered in priority
  // order with their reasons, drawn over everything like proposed sites.
  function clearUpgrades(out) {
    if (!out.layers.upgrades) return;
    out.map.removeLayer(out.layers.upgrades);
    if (out.control) out.control.removeLayer(out.layers.upgrades);
    out.layers.upgrades = null;
    var key = out.legend && out.legend.querySelector(".lg-upgrades");
    if (key) key.parentNode.removeChild(key);
  }

  function showUpgrades(out, fc) {
    var map = out.map;
    clearUpgrades(out);
    var group = L.featureGroup();
    L.geoJSON(fc, {
      pointToLayer: function (f, ll) {
        return L.marker(ll, {icon: L.divIcon({className: "site-icon upgrade-icon", html: "<span>" + esc(f.properties.priority) + "</span>",
                                             iconSize: [24, 24], iconAnchor: [12, 12]}),
                            zIndexOffset: 2000 - (f.properties.priority || 0)});
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.feature = f;
        layer.bindTooltip(T("priority") + " " + esc(p.priority) + " · " + esc(p.name));
        var reason = C.lang === "en" ? p.reason_en : p.reason_zh;
        layer.bindPopup("<div class='pop upgrade-pop'><h4>#" + esc(p.priority) + " " + esc(p.name) + "</h4>" +
          "<p class='reason'>" + esc(reason || "") + "</p><table>" +
          row(T("township"), esc(p.township_name)) + row(T("county"), esc(countyName(p))) +
          row(T("capw_capacity_before") + " → " + T("capw_capacity_after"), fmt(p.capacity_before) + " → " + fmt(p.capacity_after)) +
          // a conversion's gain is given the others converted, not upgraded (QA 25)
          row(T((fc.coverplan || {}).role ? "capw_added_served_converted" : "capw_added_served"), fmt(p.added_served)) +
          (p.synthetic ? approxRow() : "") + "</table></div>");
        group.addLayer(layer);
      }
    });
    out.layers.upgrades = group.addTo(map);
    if (out.control) out.control.addOverlay(group, tagged(T("capw_layer_upgrades")));
    upgradeKey(out, fc);
    if (group.getLayers().length) map.fitBounds(group.getBounds(), {padding: [30, 30], maxZoom: 11});
    return group;
  }

  // Township names as labels once the map is close enough to read them.
  function addTownshipLabels(map, out) {
    var labels = L.layerGroup(), made = false;
    out.layers.township_labels = labels;
    function make() {  // built on first use: polygon centres need the map to have a view
      made = true;
      out.layers.townships.eachLayer(function (l) {
        labels.addLayer(L.marker(l.getCenter(), {interactive: false, keyboard: false,
          icon: L.divIcon({className: "town-label", html: "<span>" + esc(l.feature.properties.name) + "</span>",
                           iconSize: null})}));
      });
    }
    function sync() {
      var want = map.getZoom() >= LABEL_ZOOM && map.hasLayer(out.layers.townships);
      if (want && !made) make();
      if (want && !map.hasLayer(labels)) labels.addTo(map);
      else if (!want && map.hasLayer(labels)) map.removeLayer(labels);
    }
    map.on("zoomend overlayadd overlayremove", sync);
  }

  // -- finding things ------------------------------------------------------
  function findLayer(group, test) {
    var hit = null;
    if (group) group.eachLayer(function (l) { if (!hit && l.feature && test(l.feature.properties)) hit = l; });
    return hit;
  }

  function openPoint(out, layer, group) {
    var map = out.map;
    if (group && !map.hasLayer(group)) group.addTo(map);
    if (group && group.zoomToShowLayer) { group.zoomToShowLayer(layer, function () { layer.openPopup(); }); return; }
    map.setView(layer.getLatLng(), Math.max(map.getZoom(), 12));
    layer.openPopup();
  }

  // Fly to a found place and open what the map knows about it.
  function goTo(out, place) {
    var ll = L.latLng(place.lat, place.lon);
    out.found = place.code;
    if (place.kind === "township") { if (focusTownship(out, place.code)) return; }
    // a county: outlined and framed as the county filter does (the map without counties gets the marker)
    if (place.kind === "county" && out.data && out.data.counties &&
        out.data.counties.features.some(function (f) { return f.properties.code === place.code; })) {
      focusCounty(out, place.code);
      return;
    }
    var groups = [["uncovered_units", out.layers.uncovered_units], ["covered_units", out.layers.covered_units]];
    for (var i = 0; i < groups.length; i++) {
      var l = findLayer(groups[i][1], function (p) { return p.id === place.code; });
      if (l) { out.foundLayer = groups[i][0]; openPoint(out, l, groups[i][1]); return; }
    }
    // not a demand unit of this map: mark the place for a moment
    if (out.layers.focus) out.map.removeLayer(out.layers.focus);
    out.layers.focus = L.circleMarker(ll, {radius: 9, color: "#111", weight: 2.5, fill: false}).addTo(out.map);
    out.layers.focus.bindPopup("<div class='pop'><h4>" + esc(place.name) + "</h4><table>" +
      (place.kind === "county" ? "" : row(T("township"), esc(place.township_name))) + row(T("county"), esc(countyName(place))) +
      row(T("code"), esc(place.code)) +
      (place.approximate ? row(T("quality"), "<span class='approx'>" + T("illustrative") + "</span>") : "") + "</table></div>");
    out.foundLayer = "focus";
    out.map.setView(ll, Math.max(out.map.getZoom(), 12));
    out.layers.focus.openPopup();
  }

  // A placeholder the box can show whole (QA 23): on a phone "搜索乡镇、村（社区），可用拼音" read
  // "搜索乡镇、村（社区），…". The long one where it fits, else the short one; again whenever the box's width
  // changes (the layer list opened beside it, the phone turned). The aria-label keeps the long one.
  function fitPlaceholder(input, full, short) {
    var ctx = null;
    function fit() {
      var cs = getComputedStyle(input);
      var room = input.clientWidth - parseFloat(cs.paddingLeft || 0) - parseFloat(cs.paddingRight || 0);
      if (room <= 0) return;  // not laid out yet (a map in a hidden card): the observer calls again
      ctx = ctx || document.createElement("canvas").getContext("2d");
      if (!ctx) return;
      ctx.font = cs.font || (cs.fontSize + " " + cs.fontFamily);
      var ph = ctx.measureText(full).width <= room ? full : short;
      if (input.placeholder !== ph) input.placeholder = ph;
    }
    fit();
    if (window.ResizeObserver) new ResizeObserver(fit).observe(input);
    else window.addEventListener("resize", fit);
  }

  function addSearch(out) {
    var c = control("topleft", "map-search",
      "<input type='search' class='map-search-input' maxlength='50' placeholder='" + esc(T("search_place")) + "' aria-label='" +
      esc(T("search_place")) + "'><ul class='map-search-results' hidden></ul>");
    c.addTo(out.map);
    var box = c.getContainer(), input = box.querySelector("input"), list = box.querySelector("ul");
    fitPlaceholder(input, T("search_place"), T("search_place_short"));
    var seq = 0, timer = null, results = [];
    // a county's hint is its code ("Fang County · County" read twice), a township's its county
    function show(rows, error) {  // error: the server's refusal (too long...), said as it is, not as "no data"
      results = rows;
      list.hidden = !rows.length && !input.value.trim();
      list.innerHTML = rows.length ? rows.map(function (r, i) {
        return "<li data-i='" + i + "'><b>" + esc(r.name) + "</b> <span class='small muted'>" +
          esc(r.kind === "county" ? r.code : r.kind === "township" ? countyName(r) : r.township_name + " · " + countyName(r)) +
          "</span></li>";
      }).join("") : "<li class='muted'>" + esc(error || T(input.value.trim() ? "search_no_match" : "no_data")) + "</li>";
    }
    function query() {
      var q = input.value.trim(), my = ++seq;
      if (!q) { show([]); list.hidden = true; return; }
      CP.json("/api/search?limit=12&lang=" + C.lang + "&q=" + encodeURIComponent(q)).then(function (rows) { if (my === seq) show(rows); })
        .catch(function (e) { if (my === seq) show([], (e && e.message) || T("load_failed")); });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(query, 150); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && results.length) { e.preventDefault(); pick(0); }
      if (e.key === "Escape") { list.hidden = true; }
    });
    function pick(i) {
      var r = results[i];
      if (!r) return;
      list.hidden = true;
      input.value = r.name;
      goTo(out, r);
    }
    list.addEventListener("click", function (e) {
      var li = e.target.closest("li[data-i]");
      if (li) pick(+li.dataset.i);
    });
    out.search = {input: input, list: list};
  }

  function addCountyFilter(out) {
    var opts = out.data.counties.features.map(function (f) {
      return "<option value='" + esc(f.properties.code) + "'>" + esc(countyLabel(f.properties)) + "</option>";
    }).join("");
    var c = control("topleft", "map-county", "<select aria-label='" + esc(T("filter_county")) + "'><option value=''>" +
      esc(T("whole_city")) + "</option>" + opts + "</select>");
    c.addTo(out.map);
    var sel = c.getContainer().querySelector("select");
    sel.addEventListener("change", function () { focusCounty(out, sel.value); });
    out.countySelect = sel;
  }

  // The legend box (html starting with its <h5> title) added to the map's bottom right, folding to its
  // title: a button that opens and closes the rest. Returns the box.
  function foldableLegend(map, lg, folded) {
    lg = lg.replace("<h5>" + T("legend") + "</h5>", "<h5><button type='button' class='lg-toggle' aria-expanded='" + !folded +
                    "'>" + T("legend") + "</button></h5><div class='lg-body'" + (folded ? " hidden" : "") + ">") + "</div>";
    var lgEl = control("bottomright", "legend", lg).addTo(map).getContainer();
    // The open legend shares the corner with the layer list and scrolls when it is taller than the room left
    // (every layer on at 1366x768: 324 px in 311). A scroll bar that hides until used said nothing of the
    // rows below (QA 24: the accessibility key's last row was cut in half): while there is more below, a
    // "more below" band sits on the legend's bottom edge; a click on it scrolls to the end.
    var more = document.createElement("div");
    more.className = "lg-more";
    more.hidden = true;
    more.innerHTML = "<button type='button' tabindex='-1'>▾ " + esc(T("legend_more")) + "</button>";
    lgEl.appendChild(more);
    function fit() {
      // rows hidden below, not just the bottom padding scrolled off
      var body = lgEl.querySelector(".lg-body"), pad = parseFloat(getComputedStyle(lgEl).paddingBottom) || 0;
      var over = !!body && !body.hidden && lgEl.scrollHeight - lgEl.clientHeight > pad + 1;
      lgEl.classList.toggle("lg-scrolls", over);
      more.hidden = !over || lgEl.scrollTop + lgEl.clientHeight >= lgEl.scrollHeight - pad - 2;
    }
    more.querySelector("button").addEventListener("click", function () {
      lgEl.scrollTo({top: lgEl.scrollHeight, behavior: "smooth"});
    });
    lgEl.addEventListener("scroll", fit, {passive: true});
    map.on("resize overlayadd overlayremove", function () { setTimeout(fit, 0); });
    if (window.ResizeObserver) {  // the legend's size, and its body's as layers add and remove their keys
      var ro = new ResizeObserver(fit);
      ro.observe(lgEl);
      if (lgEl.querySelector(".lg-body")) ro.observe(lgEl.querySelector(".lg-body"));
    }
    lgEl.querySelector(".lg-toggle").addEventListener("click", function () {
      var body = lgEl.querySelector(".lg-body"), open = body.hidden;
      body.hidden = !open;
      this.setAttribute("aria-expanded", String(open));
      fit();
    });
    setTimeout(fit, 0);
    return lgEl;
  }

  function focusCounty(out, code, fromPage) {
    var map = out.map;
    if (out.layers.county_focus) { map.removeLayer(out.layers.county_focus); out.layers.county_focus = null; }
    out.county = code || "";
    // the coverage map's offline export opens on the county shown (QA 33: it opened on the whole city)
    var exp = document.getElementById("export-map");
    if (exp) {
      var eu = new URL(exp.getAttribute("href"), location.href);
      if (code) eu.searchParams.set("county", code); else eu.searchParams.delete("county");
      exp.setAttribute("href", eu.pathname + eu.search);
    }
    if (!fromPage) {  // a planner's choice is kept in the address; a page's own framing (a county proposal) is not
      // a place found in another county stayed open, clipped under the controls, after the map moved away
      map.closePopup();
      var url = new URL(location.href);
      if (code) url.searchParams.set("county", code); else url.searchParams.delete("county");
      history.replaceState(null, "", url.pathname + url.search);
      CP.syncLangLink();
    }
    if (!code) { fitRegion(out); return; }
    var f = out.data.counties.features.filter(function (x) { return x.properties.code === code; })[0];
    if (!f) return;
    out.layers.county_focus = L.geoJSON(f, {interactive: false, style: {color: "#000", weight: 4, fill: false}}).addTo(map);
    out.countyMoving = true;  // cleared when the move ends (at once when there is nothing to animate)
    map.once("moveend", function () { out.countyMoving = false; });
    map.fitBounds(out.layers.county_focus.getBounds(), {padding: [20, 20]});
    if (out.countySelect) out.countySelect.value = code;
  }

  function focusTownship(out, code) {
    if (!code || !out.layers.townships) return false;
    var hit = findLayer(out.layers.townships, function (p) { return p.code === code; });
    if (!hit) return false;
    if (!out.map.hasLayer(out.layers.townships)) out.layers.townships.addTo(out.map);
    out.map.fitBounds(hit.getBounds(), {padding: [40, 40], maxZoom: 12});
    hit.setStyle({weight: 3.5, color: "#000"});
    hit.openPopup(hit.getCenter());
    out.focused = code;
    return true;
  }

  // Show proposed site number `priority` (e.g. from a click in the rationale table).
  function focusSite(out, priority) {
    var l = findLayer(out.layers.sites, function (p) { return String(p.priority) === String(priority); });
    if (l) openPoint(out, l, out.layers.sites);
    return !!l;
  }

  // Which layers are synthetic or approximate: the page's own list (cp-config "illustrative", the rule
  // of the header's 示意, web/pages.py illustrative_layers). Not known (a page without it): all of them,
  // so that a derived figure is never shown unmarked.
  function illustrativeOf(layers) {
    if (!Array.isArray(layers)) return {townships: true, villages: true, population: true};
    return {townships: layers.indexOf("townships") >= 0, villages: layers.indexOf("villages") >= 0,
            population: layers.indexOf("population") >= 0};
  }

  function load(el) {
    window.coverplanMaps = window.coverplanMaps || {};
    el.classList.add("is-loading");
    return CP.json(el.dataset.layers, {headers: {"Accept": "application/json"}})
      .then(function (data) {
        data.illustrative = illustrativeOf(C.illustrative);
        el.classList.remove("is-loading");
        var out = build(el, data);
        if (el.dataset.township) focusTownship(out, el.dataset.township);
        else if (el.dataset.county) focusCounty(out, el.dataset.county, true);
        window.coverplanMaps[el.id] = out;
        el.dataset.ready = "1";
        el.dispatchEvent(new CustomEvent("coverplan:ready", {detail: out}));
        return out;
      })
      .catch(function (err) {
        el.classList.remove("is-loading");
        el.innerHTML = "<div class='map-error'>" + T("load_failed") + ": " + esc((err && (err.message || err)) || "") + "</div>";
        el.dataset.ready = "error";
        if (window.console) console.warn(err);
      });
  }

  window.CoverMap = {load: load, build: build, focusTownship: focusTownship, focusCounty: focusCounty,
                     focusSite: focusSite, goTo: goTo, showUpgrades: showUpgrades, clearUpgrades: clearUpgrades};
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map[data-layers]").forEach(load);
  });
})();
