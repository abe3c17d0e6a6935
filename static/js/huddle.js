// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // A tip or video page counts its view once it has shown (the GET itself writes nothing).
  document.querySelectorAll("[data-view-beacon]").forEach((marker) => {
    const data = new FormData();
    try {
      data.append("csrfmiddlewaretoken", JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]);
    } catch (error) {
      return;
    }
    const url = marker.dataset.viewBeacon;
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, data))) {
      fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true }).catch(() => {});
    }
  });
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
