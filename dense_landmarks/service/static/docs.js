// A minimal offline renderer of /openapi.json: one section per operation.
"use strict";

function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function resolve(spec, schema) {
  if (schema && schema.$ref) {
    const parts = schema.$ref.replace(/^#\//, "").split("/");
    return parts.reduce((o, k) => o[k], spec);
  }
  return schema || {};
}

function typeOf(schema) {
  if (schema.contentMediaType || schema.format === "binary") return "file (upload)";
  if (schema.type) return schema.format ? `${schema.type} (${schema.format})` : schema.type;
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(" | ");
  return "object";
}

function table(rows, head) {
  const t = el("table");
  const tr = t.createTHead().insertRow();
  head.forEach((h) => tr.appendChild(el("th", h, { scope: "col" })));
  const body = t.createTBody();
  rows.forEach((r) => {
    const row = body.insertRow();
    r.forEach((c) => { row.insertCell().textContent = c; });
  });
  return t;
}

function operation(spec, path, method, op) {
  const s = el("section", null, { class: "panel" });
  s.appendChild(el("h2", `${method.toUpperCase()} ${path}`));
  if (op.summary) s.appendChild(el("p", op.summary));
  if (op.description) s.appendChild(el("p", op.description));
  const params = (op.parameters || []).map((p) => {
    const sc = resolve(spec, p.schema);
    const range = [sc.minimum !== undefined ? `>= ${sc.minimum}` : "",
                   sc.maximum !== undefined ? `<= ${sc.maximum}` : ""].filter(Boolean).join(", ");
    return [p.name, p.in, typeOf(sc), sc.default !== undefined ? String(sc.default) : "",
            [p.description || sc.description || "", range].filter(Boolean).join("; ")];
  });
  const content = op.requestBody && op.requestBody.content;
  if (content) {
    for (const [ctype, media] of Object.entries(content)) {
      const sc = resolve(spec, media.schema);
      for (const [name, prop] of Object.entries(sc.properties || {})) {
        const ps = resolve(spec, prop);
        const req = (sc.required || []).includes(name) ? "required" : "";
        params.push([name, `body (${ctype})`, typeOf(ps), ps.default !== undefined ?
                     String(ps.default) : req, ps.description || ""]);
      }
    }
  }
  if (params.length) {
    s.appendChild(el("h3", "Parameters"));
    s.appendChild(table(params, ["name", "in", "type", "default", "description"]));
  }
  const responses = Object.entries(op.responses || {}).map(([code, r]) =>
    [code, Object.keys(r.content || {}).join(", "), r.description || ""]);
  s.appendChild(el("h3", "Responses"));
  s.appendChild(table(responses, ["status", "content", "description"]));
  return s;
}

async function main() {
  const root = document.getElementById("api");
  try {
    const spec = await (await fetch("/openapi.json")).json();
    root.textContent = "";
    const intro = el("section", null, { class: "panel" });
    intro.appendChild(el("h2", `${spec.info.title} ${spec.info.version}`));
    intro.appendChild(el("p", spec.info.description || ""));
    root.appendChild(intro);
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) root.appendChild(operation(spec, path, method, op));
    }
  } catch (e) {
    root.textContent = `Could not load /openapi.json: ${e.message}`;
  }
}

main();
