// Ticking a coupon, "pay with points" or "pay from the wallet" prices the review again at once;
// without this script the "update the total" buttons do the same.
(function () {
  "use strict";
  var form = document.getElementById("review");
  if (!form) {
    return;
  }
  form.querySelectorAll("[data-rereview]").forEach(function (box) {
    box.addEventListener("change", function () {
      form.querySelector("[data-update-total]").click();
    });
  });
})();
