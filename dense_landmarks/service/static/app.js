// dense-landmarks try-on page: plain JS, same-origin requests only.
"use strict";

const $ = (id) => document.getElementById(id);
// exposed for the browser test and for curious users (read-only use)
const state = (window.tryon = {
  photo: null, faces: [], features: {}, busy: 0, analysed: 0, makeupDone: 0,
});

const PART_COLOURS = {
  jaw: "#40c0ff", right_brow: "#ffd040", left_brow: "#ffd040", nose_bridge: "#a0ff60",
  nose_base: "#a0ff60", right_eye: "#ff60d0", left_eye: "#ff60d0",
  outer_lips: "#ff4040", inner_lips: "#ff9090",
};
const CLOSED = new Set(["right_eye", "left_eye", "outer_lips", "inner_lips"]);

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

async function errorText(resp) {
  try {
    const body = await resp.json();
    if (body && body.error) return `${body.error.message} (HTTP ${resp.status})`;
  } catch (e) { /* not JSON */ }
  return `HTTP ${resp.status}`;
}

async function post(path, fields) {
  const form = new FormData();
  form.append("image", state.photo, state.photo.name || "photo.jpg");
  for (const [k, v] of Object.entries(fields || {})) form.append(k, v);
  const resp = await fetch(path, { method: "POST", body: form });
  if (!resp.ok) throw new Error(await errorText(resp));
  return resp;
}

// ---- drawing -------------------------------------------------------------------------------
function drawContours() {
  const canvas = $("overlay");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!$("show-contours").checked) return;
  const width = Math.max(1.5, canvas.width / 400);
  for (const face of state.faces) {
    for (const [part, pts] of Object.entries(face.contours)) {
      if (pts.length < 2) continue;
      ctx.strokeStyle = PART_COLOURS[part] || "#ffffff";
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(pts[0][0] + 0.5, pts[0][1] + 0.5);
      for (const [x, y] of pts.slice(1)) ctx.lineTo(x + 0.5, y + 0.5);
      if (CLOSED.has(part)) ctx.closePath();
      ctx.stroke();
    }
  }
}

function updateSplit() {
  const after = $("after");
  const pct = Number($("split").value);
  after.style.clipPath = `inset(0 0 0 ${pct}%)`;
  $("divider").style.left = `${pct}%`;
  $("split").setAttribute("aria-valuetext", `${pct}% before, ${100 - pct}% after`);
}

// ---- the photo -----------------------------------------------------------------------------
async function usePhoto(blob) {
  state.photo = blob;
  state.faces = [];
  $("after").hidden = true;
  $("divider").hidden = true;
  $("split").disabled = true;
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: "from-image" });
  } catch (e) {
    setStatus("This file is not an image the browser can show.", true);
    return;
  }
  for (const id of ["before", "overlay"]) {
    $(id).width = bitmap.width;
    $(id).height = bitmap.height;
  }
  $("before").getContext("2d").drawImage(bitmap, 0, 0);
  $("stage").hidden = false;
  drawContours();
  await analyse();
}

async function analyse() {
  setStatus("Finding faces…");
  state.busy += 1;
  try {
    const resp = await post("/v1/landmarks?density=1000");
    const doc = await resp.json();
    state.faces = doc.faces;
    drawContours();
    const n = doc.faces.length;
    setStatus(n ? `${n} face${n > 1 ? "s" : ""} found.` : "No face found in this photo.");
    $("apply").disabled = !(n && state.features.makeup);
    await Promise.all([n && state.features.makeup ? applyMakeup() : null, measure()]);
  } catch (e) {
    setStatus(`Could not analyse the photo: ${e.message}`, true);
  } finally {
    state.busy -= 1;
    state.analysed += 1;
  }
}

// ---- make-up -------------------------------------------------------------------------------
function currentLook() {
  const on = (id) => $(`${id}-on`).checked;
  return {
    lips: on("lips") ? $("lips").value : null,
    lip_finish: $("lip-finish").value,
    eyeliner: on("eyeliner") ? $("eyeliner").value : null,
    eyeliner_wing: $("eyeliner-wing").checked,
    shadow: on("shadow") ? $("shadow").value : null,
    blush: on("blush") ? $("blush").value : null,
    intensity: Number($("intensity").value) / 100,
  };
}

let makeupSeq = 0;
async function applyMakeup() {
  if (!state.photo || !state.features.makeup || !state.faces.length) return;
  const seq = ++makeupSeq;
  setStatus("Applying make-up…");
  state.busy += 1;
  try {
    const resp = await post("/v1/makeup", { look: JSON.stringify(currentLook()) });
    const blob = await resp.blob();
    if (seq !== makeupSeq) return; // a newer request superseded this one
    const after = $("after");
    if (after.src) URL.revokeObjectURL(after.src);
    after.src = URL.createObjectURL(blob);
    await after.decode();
    after.hidden = false;
    $("divider").hidden = false;
    $("split").disabled = false;
    updateSplit();
    state.makeupDone += 1;
    setStatus("Make-up applied. Move the before / after slider to compare.");
  } catch (e) {
    if (seq === makeupSeq) setStatus(`Make-up failed: ${e.message}`, true);
  } finally {
    state.busy -= 1;
  }
}

// ---- measurements --------------------------------------------------------------------------
const fmt = (v) => (typeof v === "number" ? String(Number(v.toFixed(3))) : String(v));

function flatten(obj, prefix = "", rows = []) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) flatten(v, key, rows);
    else rows.push([key, Array.isArray(v) ? v.map(fmt).join(", ") : fmt(v)]);
  }
  return rows;
}

async function measure() {
  const box = $("measurements");
  if (!state.features.measure) {
    box.innerHTML = "<p class=\"note\">Measurements are not installed on this server.</p>";
    return;
  }
  box.textContent = "Measuring…";
  try {
    const doc = await (await post("/v1/measure")).json();
    box.textContent = "";
    if (!doc.faces.length) box.textContent = "No face to measure.";
    doc.faces.forEach((face, i) => {
      box.appendChild(Object.assign(document.createElement("h3"), { textContent: `Face ${i + 1}` }));
      const grid = Object.assign(document.createElement("div"), { className: "tables" });
      // one table per group (top-level objects), the plain values first under "summary"
      const groups = { summary: {} };
      for (const [k, v] of Object.entries(face)) {
        if (v !== null && typeof v === "object" && !Array.isArray(v)) groups[k] = v;
        else groups.summary[k] = v;
      }
      for (const [name, values] of Object.entries(groups)) {
        const table = document.createElement("table");
        table.createCaption().textContent = name;
        for (const [k, v] of flatten(values)) {
          const row = table.insertRow();
          const th = document.createElement("th");
          th.scope = "row";
          th.textContent = k;
          row.appendChild(th);
          row.insertCell().textContent = v;
        }
        grid.appendChild(table);
      }
      box.appendChild(grid);
    });
  } catch (e) {
    box.textContent = `Measurement failed: ${e.message}`;
  }
}

// ---- webcam --------------------------------------------------------------------------------
let stream = null;
async function startCamera() {
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  } catch (e) {
    setStatus(`Webcam unavailable: ${e.message}`, true);
    return;
  }
  $("video").srcObject = stream;
  $("camera").hidden = false;
  $("capture").focus();
}

function stopCamera() {
  if (stream) stream.getTracks().forEach((t) => t.stop());
  stream = null;
  $("camera").hidden = true;
  $("camera-start").focus();
}

function capture() {
  const video = $("video");
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  canvas.toBlob((blob) => {
    stopCamera();
    if (blob) usePhoto(new File([blob], "webcam.jpg", { type: "image/jpeg" }));
  }, "image/jpeg", 0.92);
}

// ---- wiring --------------------------------------------------------------------------------
async function init() {
  try {
    const health = await (await fetch("/health")).json();
    state.features = health.features || {};
  } catch (e) {
    setStatus("The server does not answer.", true);
  }
  $("makeup-note").hidden = Boolean(state.features.makeup);
  if (!state.features.makeup) {
    for (const e of $("look").querySelectorAll("fieldset, input")) e.disabled = true;
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    $("camera-start").disabled = true;
    $("camera-start").title = "No webcam access in this browser";
  }
  $("file").addEventListener("change", (e) => {
    const f = e.target.files[0];
    if (f) usePhoto(f);
  });
  $("camera-start").addEventListener("click", startCamera);
  $("camera-stop").addEventListener("click", stopCamera);
  $("capture").addEventListener("click", capture);
  $("show-contours").addEventListener("change", drawContours);
  $("split").addEventListener("input", updateSplit);
  $("intensity").addEventListener("input", () => {
    $("intensity-value").textContent = (Number($("intensity").value) / 100).toFixed(2);
  });
  $("look").addEventListener("submit", (e) => {
    e.preventDefault();
    applyMakeup();
  });
  $("look").addEventListener("change", () => applyMakeup());
  state.ready = true;
}

init();
