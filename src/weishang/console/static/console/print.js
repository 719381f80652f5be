// The packing list's print button: the browser's own print dialogue (A4, or save as PDF).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
