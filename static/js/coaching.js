// Coaching: upload progress, the watch-progress beacon and #t= seeking.
// Every page works without this file: forms post normally, videos play, links still carry #t=.
(() => {
  "use strict";

  const BEACON_SECONDS = 5;

  function formatTime(total) {
    const seconds = Math.floor(total);
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
  }

  function formatBytes(bytes) {
    if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GB`;
    if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    return `${Math.ceil(bytes / 1024)} KB`;
  }

  // --- Uploads: a progress bar while the file goes up (XMLHttpRequest reports upload progress).
  function enhanceUploadForm(form) {
    form.addEventListener("submit", (event) => {
      const fileInput = form.querySelector("input[type=file][data-max-bytes]");
      const errorBox = form.querySelector(".upload-error");
      const file = fileInput && fileInput.files[0];
      if (file && Number(fileInput.dataset.maxBytes) && file.size > Number(fileInput.dataset.maxBytes)) {
        event.preventDefault();
        errorBox.textContent = `The file is ${formatBytes(file.size)}; videos can be at most ${formatBytes(Number(fileInput.dataset.maxBytes))}.`;
        errorBox.hidden = false;
        return;
      }
      event.preventDefault();
      const box = form.querySelector(".upload-progress");
      const bar = box.querySelector("progress");
      const text = box.querySelector(".upload-progress__text");
      const button = form.querySelector("button[type=submit]");
      box.hidden = false;
      errorBox.hidden = true;
      button.disabled = true;
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.responseType = "json";
      request.upload.addEventListener("progress", (progress) => {
        if (!progress.lengthComputable) return;
        const percent = Math.round((100 * progress.loaded) / progress.total);
        bar.value = percent;
        bar.textContent = `${percent}%`;
        text.textContent = `${percent}% · ${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}`;
      });
      request.addEventListener("load", () => {
        const body = request.response || {};
        if (request.status < 400 && body.redirect) {
          bar.value = 100;
          window.location.assign(body.redirect);
        } else if (body.html) {
          const holder = document.createElement("div");
          holder.innerHTML = body.html;
          const fresh = holder.querySelector("form");
          form.replaceWith(fresh);
          enhanceUploadForm(fresh);
          const firstError = fresh.querySelector(".error, [role=alert]");
          if (firstError) firstError.scrollIntoView({ block: "center" });
        } else {
          button.disabled = false;
          box.hidden = true;
          errorBox.textContent = "The upload failed. Check your connection and try again.";
          errorBox.hidden = false;
        }
      });
      request.addEventListener("error", () => {
        button.disabled = false;
        box.hidden = true;
        errorBox.textContent = "The upload failed. Check your connection and try again.";
        errorBox.hidden = false;
      });
      request.send(new FormData(form));
    });
  }

  // --- Seeking: #t=83 (or #t=1:23) starts the player there.
  function secondsFromHash(hash) {
    const match = /^#t=(\d+(?::\d{1,2}){0,2}(?:\.\d+)?)/.exec(hash || "");
    if (!match) return null;
    return match[1].split(":").reduce((total, part) => total * 60 + Number(part), 0);
  }

  function seek(video, seconds, note, { play = false } = {}) {
    video.currentTime = seconds;
    video.dataset.startAt = String(seconds);
    if (note) {
      note.textContent = `Starting at ${formatTime(seconds)}`;
      note.hidden = false;
    }
    if (play) video.play().catch(() => {});
  }

  // --- Watching: one small beacon every few seconds while playing, and when leaving.
  function trackProgress(video) {
    const url = video.dataset.progressUrl;
    const tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
    let furthest = Number(video.dataset.furthest || 0);
    let lastSent = furthest;
    const send = () => {
      furthest = Math.max(furthest, video.currentTime || 0);
      if (furthest <= lastSent) return;
      const data = new FormData();
      data.append("position", furthest.toFixed(1));
      if (Number.isFinite(video.duration)) data.append("duration", video.duration.toFixed(1));
      if (tokenInput) data.append("csrfmiddlewaretoken", tokenInput.value);
      lastSent = furthest;
      if (!(navigator.sendBeacon && navigator.sendBeacon(url, data))) {
        fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true }).catch(() => {});
      }
    };
    let timer = null;
    video.addEventListener("play", () => { timer = timer || setInterval(send, BEACON_SECONDS * 1000); });
    video.addEventListener("pause", () => { clearInterval(timer); timer = null; send(); });
    video.addEventListener("ended", send);
    window.addEventListener("pagehide", send);
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") send(); });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-upload-progress]").forEach(enhanceUploadForm);

    const video = document.querySelector("video[data-progress-url]");
    if (!video) return;
    const note = document.getElementById("player-start");
    const start = secondsFromHash(window.location.hash);
    if (start !== null) {
      seek(video, start, note);
      // Some browsers reset the position while loading metadata; set it again once it is known.
      video.addEventListener("loadedmetadata", () => {
        if (Math.abs(video.currentTime - start) > 1) video.currentTime = start;
      }, { once: true });
    }
    window.addEventListener("hashchange", () => {
      const seconds = secondsFromHash(window.location.hash);
      if (seconds !== null) seek(video, seconds, note, { play: true });
    });
    // Delegated: transcript lines that htmx adds later ("Show more") seek as well.
    document.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-seek]");
      if (!link) return;
      event.preventDefault();
      history.replaceState(null, "", `#t=${link.dataset.seek}`);
      seek(video, Number(link.dataset.seek), note, { play: true });
      video.scrollIntoView({ block: "nearest" });
    });
    trackProgress(video);
  });
})();
