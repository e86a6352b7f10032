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
})();
