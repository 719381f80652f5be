// Poster template editor: a click on the preview puts the QR code's centre there (in the
// background's own pixels, kept inside the picture); the brand then saves the form.
(function () {
  "use strict";
  var preview = document.getElementById("poster-preview");
  var left = document.getElementById("id_qr_x");
  var top = document.getElementById("id_qr_y");
  var size = document.getElementById("id_qr_size");
  var note = document.getElementById("poster-placed");
  if (!preview || !left || !top || !size) {
    return;
  }
  function clamp(value, low, high) {
    return Math.max(low, Math.min(high, value));
  }
  preview.addEventListener("click", function (event) {
    var width = Number(preview.dataset.width);
    var height = Number(preview.dataset.height);
    var box = preview.getBoundingClientRect();
    var qr = Number(size.value) || 0;
    var x = Math.round(((event.clientX - box.left) / box.width) * width - qr / 2);
    var y = Math.round(((event.clientY - box.top) / box.height) * height - qr / 2);
    left.value = clamp(x, 0, Math.max(0, width - qr));
    top.value = clamp(y, 0, Math.max(0, height - qr));
    if (note) {
      note.textContent = note.dataset.message;
      note.hidden = false;
    }
  });
})();
