// predastore console: the page's only script (the Content-Security-Policy
// allows no other). It refreshes the cluster page in place and uploads
// files in parts, showing their progress.
"use strict";

const PART_BYTES = 8 * 1024 * 1024;

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// One request of the upload API, with the upload's progress reported as
// bytes of this part are sent.
function send(method, url, body, onProgress, extraHeaders) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    for (const [name, value] of Object.entries(extraHeaders || {})) {
      xhr.setRequestHeader(name, value);
    }
    if (onProgress) {
      xhr.upload.onprogress = (e) => onProgress(e.loaded);
    }
    xhr.onload = () => {
      let answer = {};
      try { answer = JSON.parse(xhr.responseText || "{}"); } catch (_) { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(answer);
      } else {
        reject(new Error(answer.error || ("HTTP " + xhr.status)));
      }
    };
    xhr.onerror = () => reject(new Error("the connection failed"));
    xhr.send(body);
  });
}

async function upload(section) {
  const input = document.getElementById("upload-file");
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const file = input.files[0];
  if (!file) {
    status.textContent = "Choose a file first.";
    return;
  }
  const bucket = section.dataset.bucket;
  const key = section.dataset.prefix + file.name;
  const base = "/api/buckets/" + encodeURIComponent(bucket) + "/uploads";
  const q = "?key=" + encodeURIComponent(key);
  const show = (sent) => {
    const percent = file.size === 0 ? 100 : Math.floor((sent * 100) / file.size);
    bar.value = percent;
    status.textContent = percent + "%";
  };
  bar.value = 0;
  status.textContent = "0%";
  let uploadId = null;
  try {
    const created = await send("POST", base + q, null, null, { "X-File-Type": file.type || "" });
    uploadId = created.upload_id;
    const parts = [];
    const count = Math.max(1, Math.ceil(file.size / PART_BYTES));
    for (let n = 1; n <= count; n++) {
      const start = (n - 1) * PART_BYTES;
      const slice = file.slice(start, Math.min(file.size, start + PART_BYTES));
      const url = base + "/" + encodeURIComponent(uploadId) + "/parts/" + n + q;
      const done = await send("PUT", url, slice, (loaded) => show(start + loaded));
      parts.push({ part: n, etag: done.etag });
    }
    const url = base + "/" + encodeURIComponent(uploadId) + "/complete" + q;
    await send("POST", url, JSON.stringify(parts), null, { "Content-Type": "application/json" });
    show(file.size);
    status.textContent = "100% · uploaded " + key;
    status.dataset.done = "true";
    await refreshListing();
  } catch (e) {
    status.textContent = "Upload failed: " + e.message;
    status.dataset.done = "false";
    if (uploadId) {
      const url = base + "/" + encodeURIComponent(uploadId) + q;
      send("DELETE", url, null, null).catch(() => {});
    }
  }
}

// Reloads the listing part of the page, leaving the upload's status shown.
async function refreshListing() {
  const answer = await fetch(window.location.href, { credentials: "same-origin" });
  if (!answer.ok) return;
  const page = new DOMParser().parseFromString(await answer.text(), "text/html");
  const fresh = page.getElementById("listing");
  const listing = document.getElementById("listing");
  if (fresh && listing) listing.replaceWith(fresh);
}

// Replaces the live part of a page with its latest rendering.
function refreshLive(live) {
  fetch(live.dataset.refresh, { credentials: "same-origin" })
    .then((answer) => {
      if (answer.redirected || answer.status === 401 || answer.status === 403) {
        window.location.reload();
        return null;
      }
      return answer.ok ? answer.text() : null;
    })
    .then((html) => {
      if (html === null) return;
      const page = new DOMParser().parseFromString(html, "text/html");
      live.replaceChildren(...page.body.childNodes);
      live.dataset.refreshed = String(Date.now());
    })
    .catch(() => {});
}

document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("upload");
  const start = document.getElementById("upload-start");
  if (section && start) {
    start.addEventListener("click", () => upload(section));
  }
  const live = document.getElementById("live");
  if (live) {
    setInterval(() => refreshLive(live), 2000);
  }
  const share = document.getElementById("share-url");
  if (share) {
    share.addEventListener("focus", () => share.select());
  }
});
