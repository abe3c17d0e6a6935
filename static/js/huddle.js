// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Close the user menu when clicking elsewhere.
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.user-menu[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  // Escape closes an open user menu and gives focus back to its button.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.user-menu[open]").forEach((menu) => {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
  // Filters fold away on narrow screens (the page renders them open for wide ones and no-JS).
  document.querySelectorAll("details[data-fold-below]").forEach((details) => {
    const narrow = window.matchMedia(`(max-width: ${details.dataset.foldBelow}px)`);
    const fold = () => { details.open = !narrow.matches; };
    fold();
    narrow.addEventListener("change", fold);  // a phone turned sideways, a window resized
  });
  // Ctrl+Enter (Cmd+Enter on a Mac) in a box posts it, as in chat tools.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    const form = event.target.closest && event.target.closest("form[data-ctrl-enter-submits]");
    if (!form || event.target.tagName !== "TEXTAREA") return;
    event.preventDefault();
    form.requestSubmit();
  });
});
