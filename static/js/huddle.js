// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Close the user menu when clicking elsewhere.
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.user-menu[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
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
