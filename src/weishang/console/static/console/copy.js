// "Copy" buttons: data-copy names the field whose text goes to the clipboard; data-copied is
// the button's text once copied.
document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    field.select();
    (navigator.clipboard ? navigator.clipboard.writeText(field.value) : Promise.reject()).catch(
      function () { document.execCommand("copy"); }
    );
    if (button.dataset.copied) { button.textContent = button.dataset.copied; }
  });
});
