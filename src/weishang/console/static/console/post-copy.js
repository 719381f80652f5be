// "Copy text" on a distributor's post: the clipboard API where the browser allows it, else the
// text is selected and copied the old way (WeChat's browser, plain http).
document.querySelectorAll("button.copy-text").forEach(function (button) {
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    function selectAndCopy() {
      field.focus();
      field.select();
      try { document.execCommand("copy"); } catch (error) { /* the text stays selected */ }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).catch(selectAndCopy);
    } else {
      selectAndCopy();
    }
    button.textContent = button.dataset.copied;
  });
});
