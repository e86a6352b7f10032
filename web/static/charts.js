/* Charts drawn in the browser as inline SVG, from the JSON of /api/charts/...
 * The browser's own fonts render the Chinese labels, whatever fonts the
 * server has (the server-rendered SVG/PNG stays for downloads).
 *
 * Markup: <div class="chart" data-chart="URL" data-kind="county|costs">; every
 * such element is filled on page load, and CPCharts.load(el) (re)fills one
 * (the overview changes data-chart when another type is picked).
 * el.dataset.ready is "1" once drawn, "error" if the data failed to load. */
(function () {
  "use strict";
  var esc = CP.esc, T = CP.T;
  var NS = "http://www.w3.org/2000/svg";
  var FONT = 12, SMALL = 11;
  // A county's bar takes the map legend's class of its share (as map.js shareColor and
  // web/charts.py bar_colour), so one share has one colour on the page.
  function barColour(share) {
    var P = CP.C.palette, classes = P.classes;
    if (share >= P.full) return classes[0].color;
    for (var i = 1; i < classes.length; i++) if (share >= classes[i].min) return classes[i].color;
    return classes[classes.length - 1].color;
  }

  // Whether white text reads on a fill "#rrggbb" (the light classes take dark text).
  function isDark(color) {
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color || "");
    if (!m) return true;
    var lum = 0.299 * parseInt(m[1], 16) + 0.587 * parseInt(m[2], 16) + 0.114 * parseInt(m[3], 16);
    return lum < 150;
  }

  // The classes' key under the chart (the overview has no map legend beside it).
  function shareKey() {
    return "<div class='chart-key small'>" + CP.C.palette.classes.map(function (c) {
      return "<span><i class='sw' style='background:" + esc(c.color) + "'></i>" + esc(c.label) + "</span>";
    }).join("") + "</div>";
  }

  // Text widths from the page's own font, so labels never overlap the plot.
  var ctx = null;
  function textWidth(s, size, el) {
    if (!ctx) ctx = document.createElement("canvas").getContext("2d");
    ctx.font = size + "px " + getComputedStyle(el).fontFamily;
    return ctx.measureText(String(s)).width;
  }

  function num(v, d) { return (+v).toFixed(d == null ? 0 : d).replace(/\.0+$/, ""); }

  // Round axis ticks: 1, 2, 2.5 or 5 x 10^k, about n of them up to max.
  function ticks(max, n) {
    if (!(max > 0)) return [0, 1];
    var raw = max / n, e = Math.pow(10, Math.floor(Math.log10(raw))), step = e;
    [1, 2, 2.5, 5, 10].some(function (m) { step = m * e; return step >= raw; });
    var out = [];
    for (var v = 0; v <= max + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    if (out[out.length - 1] < max) out.push(+(out[out.length - 1] + step).toPrecision(12));
    return out;
  }

  function tickText(v) {
    return Math.abs(v) >= 1000 ? v.toLocaleString(CP.C.lang === "en" ? "en-US" : "zh-CN") : num(v, v % 1 ? 1 : 0);
  }

  function text(x, y, s, attrs) {
    return "<text x='" + x.toFixed(1) + "' y='" + y.toFixed(1) + "'" + (attrs || "") + ">" + esc(s) + "</text>";
  }

  function svg(w, h, label, body) {
    return "<svg xmlns='" + NS + "' viewBox='0 0 " + w + " " + h + "' width='" + w + "' height='" + h +
           "' role='img' aria-label='" + esc(label) + "'><title>" + esc(label) + "</title>" + body + "</svg>";
  }

  // (a) Coverage by county: horizontal bars, best covered on top.
  function county(el, d) {
    var rows = d.rows || [];
    if (!rows.length) { el.innerHTML = "<p class='muted'>" + esc(T("no_data")) + "</p>"; return; }
    var W = Math.max(300, el.clientWidth || 360), rowH = 26, top = 8;
    var left = 10 + Math.max.apply(null, rows.map(function (r) { return textWidth(r.name, FONT, el); }));
    var right = W - 12, plotW = right - left, H = top + rows.length * rowH + 44;
    var x = function (share) { return left + plotW * Math.max(0, Math.min(1, share)); };
    var b = "";
    [0, 0.25, 0.5, 0.75, 1].forEach(function (v) {
      b += "<line class='grid' x1='" + x(v) + "' x2='" + x(v) + "' y1='" + top + "' y2='" + (top + rows.length * rowH) +
           "' stroke='#e5e8ec'/>" + text(x(v), top + rows.length * rowH + 15, num(100 * v), " text-anchor='middle' class='tick'");
    });
    rows.forEach(function (r, i) {
      var y = top + i * rowH, mid = y + rowH / 2, end = x(r.share), label = r.label, fill = barColour(r.share);
      b += "<g class='bar' data-code='" + esc(r.code) + "'>";
      b += text(left - 6, mid + 4, r.name, " text-anchor='end' class='county-name'");
      b += "<rect x='" + left + "' y='" + (y + 4) + "' width='" + Math.max(0, end - left).toFixed(1) + "' height='" +
           (rowH - 8) + "' fill='" + fill + "'><title>" + esc(r.name + " " + label) + "</title></rect>";
      // the figure sits after the bar, or inside its end when the bar reaches the edge
      if (end + 4 + textWidth(label, SMALL, el) <= right) b += text(end + 4, mid + 4, label, " class='value'");
      else b += text(end - 4, mid + 4, label, " text-anchor='end' class='value inside" + (isDark(fill) ? " on-dark" : "") + "'");
      b += "</g>";
    });
    b += "<line x1='" + left + "' x2='" + left + "' y1='" + top + "' y2='" + (top + rows.length * rowH) + "' stroke='#555'/>";
    b += text(left + plotW / 2, H - 6, d.x_label, " text-anchor='middle' class='axis-title'");
    el.innerHTML = svg(W, H, d.title, b) + shareKey();
  }

  // Dashed lines at the service standards (urban and rural), each labelled beside its line.
  // Two standards can be close (15 and 18 min): a label goes right of its line, else left of
  // it, on the first row where it overlaps no other label and crosses no other line; when a
  // crossing cannot be helped (a narrow chart) a white box under the label interrupts the line.
  function standards(el, list, x, left, right, top, bottom) {
    var ROW = Math.ceil(SMALL * 1.5), PAD = 3, GAP = 4;
    var lines = list.filter(function (st) { return st.value != null; })
                    .map(function (st) { return {label: st.label, x: x(st.value), w: textWidth(st.label, SMALL, el)}; });
    var placed = [], out = "";
    function free(c, crossing) {
      if (c.x0 < left + 1 || c.x1 > right) return false;
      if (placed.some(function (p) { return p.row === c.row && c.x0 < p.x1 + GAP && p.x0 < c.x1 + GAP; })) return false;
      return crossing || !lines.some(function (o) { return o !== c.line && o.x > c.x0 - 2 && o.x < c.x1 + 2; });
    }
    lines.slice().sort(function (a, b) { return a.x - b.x; }).forEach(function (ln) {
      var found = null;
      [false, true].some(function (crossing) {
        for (var row = 0; row < lines.length && !found; row++) {
          [{x0: ln.x + PAD, x1: ln.x + PAD + ln.w, row: row, line: ln},
           {x0: ln.x - PAD - ln.w, x1: ln.x - PAD, row: row, line: ln}].some(function (c) {
            if (free(c, crossing)) found = c;
            return found;
          });
        }
        return found;
      });
      // no room anywhere: right of the line (kept inside the plot), on a row of its own
      if (!found) {
        var x0 = Math.max(left + 1, Math.min(ln.x + PAD, right - ln.w));
        found = {x0: x0, x1: x0 + ln.w, row: placed.reduce(function (m, p) { return Math.max(m, p.row + 1); }, 0), line: ln};
      }
      placed.push(found);
    });
    lines.forEach(function (ln) {
      out += "<line class='standard' x1='" + ln.x.toFixed(1) + "' x2='" + ln.x.toFixed(1) + "' y1='" + top + "' y2='" +
             bottom + "' stroke='#333' stroke-dasharray='5,4'/>";
    });
    placed.forEach(function (p) {  // labels over every line
      var base = top + 10 + ROW * p.row;
      out += "<rect class='standard-label-bg' x='" + (p.x0 - 1).toFixed(1) + "' y='" + (base - SMALL).toFixed(1) +
             "' width='" + (p.x1 - p.x0 + 2).toFixed(1) + "' height='" + (SMALL + 4) + "' fill='#fff' fill-opacity='.85'/>" +
             text(p.x0, base, p.line.label, " class='value halo standard-label'");
    });
    return out;
  }

  // (b) Travel cost before/after a proposal: two step lines on shared bins.
  function costs(el, d) {
    var e = d.edges || [], series = d.series || [];
    if (e.length < 2) { el.innerHTML = "<p class='muted'>" + esc(T("no_data")) + "</p>"; return; }
    var ymax = 0;
    series.forEach(function (s) { (d[s.key] || []).forEach(function (c) { if (c > ymax) ymax = c; }); });
    // costs beyond the range count in the last bar (web/charts.py cost_bins): it is then open-ended, shaded and
    // labelled "≥ 90" under the axis, the axis ends with it and a note under the chart says what it holds
    var open = !!(d.open_end && d.open_label), lo = e[e.length - 2];
    var xt = open ? ticks(lo, 6).filter(function (v) { return v <= lo + 1e-9; }) : ticks(e[e.length - 1], 6);
    var yt = ticks(ymax || 1, 4), xmax = open ? e[e.length - 1] : Math.max(e[e.length - 1], xt[xt.length - 1]);
    var W = Math.max(320, el.clientWidth || 420), H = 250, top = 26, bottom = H - 42;
    var left = 16 + Math.max.apply(null, yt.map(function (v) { return textWidth(tickText(v), SMALL, el); })) + 8;
    var right = W - 10;
    var x = function (v) { return left + (right - left) * v / xmax; };
    var y = function (v) { return bottom - (bottom - top) * v / yt[yt.length - 1]; };
    var b = "", openBox = null;
    if (open) {  // under the grid and the lines
      var ow = textWidth(d.open_label, SMALL, el), ox = Math.min(right - ow / 2, (x(lo) + x(xmax)) / 2);
      openBox = [ox - ow / 2 - 4, ox + ow / 2 + 4];
      b += "<rect class='open-bin' x='" + x(lo).toFixed(1) + "' y='" + top + "' width='" + (x(xmax) - x(lo)).toFixed(1) +
           "' height='" + (bottom - top) + "' fill='#eceff3'><title>" + esc(d.open_note || d.open_label) + "</title></rect>" +
           text(ox, bottom + 15, d.open_label, " text-anchor='middle' class='tick open-label'");
    }
    yt.forEach(function (v) {
      b += "<line class='grid' x1='" + left + "' x2='" + right + "' y1='" + y(v).toFixed(1) + "' y2='" + y(v).toFixed(1) +
           "' stroke='#e5e8ec'/>" + text(left - 4, y(v) + 4, tickText(v), " text-anchor='end' class='tick'");
    });
    xt.forEach(function (v) {
      var w = textWidth(tickText(v), SMALL, el) / 2;
      if (openBox && x(v) + w > openBox[0] && x(v) - w < openBox[1]) return;  // the "≥ 90" label is there
      b += text(x(v), bottom + 15, tickText(v), " text-anchor='middle' class='tick'");
    });
    b += "<line x1='" + left + "' x2='" + right + "' y1='" + bottom + "' y2='" + bottom + "' stroke='#555'/>";
    series.forEach(function (s) {
      var c = d[s.key] || [], p = "M" + x(e[0]).toFixed(1) + "," + y(0).toFixed(1);
      for (var i = 0; i < c.length; i++) {
        p += "V" + y(c[i] || 0).toFixed(1) + "H" + x(e[i + 1]).toFixed(1);
      }
      p += "V" + y(0).toFixed(1);
      b += "<path class='step step-" + esc(s.key) + "' d='" + p + "' fill='none' stroke='" + esc(s.color) +
           "' stroke-width='1.8'/>";
    });
    b += standards(el, d.standards || [], x, left, right, top, bottom);
    // legend, top right
    var lx = right;
    series.slice().reverse().forEach(function (s) {
      lx -= textWidth(s.label, SMALL, el) + 30;
      b += "<line x1='" + lx + "' x2='" + (lx + 18) + "' y1='" + (top - 14) + "' y2='" + (top - 14) + "' stroke='" +
           esc(s.color) + "' stroke-width='2'/>" + text(lx + 22, top - 10, s.label, " class='legend'");
    });
    b += text(left + (right - left) / 2, H - 6, d.x_label, " text-anchor='middle' class='axis-title'");
    b += text(12, (top + bottom) / 2, d.y_label, " text-anchor='middle' class='axis-title' transform='rotate(-90 12 " +
              ((top + bottom) / 2).toFixed(1) + ")'");
    var html = svg(W, H, d.title, b);
    if (open && d.open_note) html += "<p class='small muted open-end-note'>" + esc(d.open_note) + "</p>";
    var lost = [d.unreachable_before, d.unreachable_after];
    if (lost.some(function (v) { return v > 0; })) {
      html += "<p class='small muted'>" + esc(d.unreachable_label) + ": " + esc(series[0] ? series[0].label : "") + " " +
              CP.fmt(lost[0]) + " · " + esc(series[1] ? series[1].label : "") + " " + CP.fmt(lost[1]) + "</p>";
    }
    el.innerHTML = html;
  }

  var KINDS = {county: county, costs: costs};

  function draw(el) {
    var fn = KINDS[el.dataset.kind];
    if (!fn || !el._chartData) return;
    fn(el, el._chartData);
    el.dataset.ready = "1";
  }

  function load(el) {
    var url = el.dataset.chart, token = (el._chartToken || 0) + 1;
    el._chartToken = token;
    el.dataset.ready = "0";
    if (!el.innerHTML.trim()) el.innerHTML = "<p class='muted'>" + esc(T("loading")) + "</p>";
    return CP.json(url).then(function (d) {
      if (el._chartToken !== token) return;  // another type was picked meanwhile
      el._chartData = d;
      draw(el);
    }).catch(function (err) {
      if (el._chartToken !== token) return;
      el.innerHTML = "<p class='muted'>" + esc((err && err.message) || T("load_failed")) + "</p>";
      el.dataset.ready = "error";
    });
  }

  // Charts are sized to their card: redraw from the kept data when it resizes.
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      document.querySelectorAll("div.chart[data-chart]").forEach(function (el) {
        if (el.dataset.ready === "1") draw(el);
      });
    }, 150);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("div.chart[data-chart]").forEach(load);
  });

  window.CPCharts = {load: load, county: county, costs: costs};
})();
