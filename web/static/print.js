/* Printing pages that hold Leaflet maps (loaded by base.html on every page).
 * A map is laid out once, for the screen. On paper the page is narrower (A4 less
 * margins is about 718 CSS px) and the map box shrinks with it, but Leaflet keeps
 * its view anchored at the top-left corner: the printout would show a cropped map.
 * So before printing, each map is scaled with the page (same aspect ratio) and
 * refitted to the area it showed on screen; after printing it is put back.
 * Maps on a sheet already sized in mm (the proposal brief) print as they are. */
(function () {
  "use strict";
  var PAGE_PX = 190 * 96 / 25.4;  // A4 width less the 10 mm margins of app.css's @page
  var changed = [];

  function contentWidth(el) {
    var cs = window.getComputedStyle(el);
    return el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  }

  function beforePrint() {
    if (changed.length) return;  // already sized for paper (some printers fire the event twice)
    var maps = window.coverplanMaps || {};
    var main = document.querySelector("main");
    var scale = main ? Math.min(1, PAGE_PX / contentWidth(main)) : 1;
    if (scale > 0.98) return;
    Object.keys(maps).forEach(function (id) {
      var map = maps[id] && maps[id].map, el = map && map.getContainer();
      if (!el || el.closest(".brief") || !el.clientWidth) return;
      var view = map.getBounds();
      // saved and restored property by property: a strict CSP refuses setAttribute("style")
      changed.push({map: map, el: el, view: view,
                    style: {width: el.style.width, height: el.style.height, minHeight: el.style.minHeight}});
      var w = el.clientWidth, h = el.clientHeight;
      el.style.minHeight = "0";
      el.style.width = Math.floor(w * scale) + "px";
      el.style.height = Math.floor(h * scale) + "px";
      map.invalidateSize({pan: false});
      // no animation: the view and the canvas layers are redrawn before the page is laid out
      map.fitBounds(view, {animate: false});
    });
  }

  function afterPrint() {
    changed.splice(0).forEach(function (c) {
      Object.keys(c.style).forEach(function (k) { c.el.style[k] = c.style[k]; });
      c.map.invalidateSize({pan: false});
      c.map.fitBounds(c.view, {animate: false});
    });
  }

  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
})();
