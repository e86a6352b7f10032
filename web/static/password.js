/* Password change: a message from the previous attempt goes as soon as the planner tries again.
 * The browser's own checks (required, at least 8 characters) stop the form before it reaches the
 * server, so the server's answer to the earlier attempt ("the two new passwords differ") would
 * otherwise stay on screen beside the browser's new complaint. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("password-form");
    if (!form) return;
    function clear() {
      var err = document.getElementById("password-error");
      if (err) err.remove();
    }
    // Enter in a field "clicks" the submit button too; both come before the browser's checks
    document.getElementById("password-submit").addEventListener("click", clear);
    form.addEventListener("invalid", clear, true);  // (invalid does not bubble: caught on the way down)
    form.addEventListener("submit", clear);
  });
})();
