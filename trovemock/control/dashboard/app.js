// trovemock dashboard: a client of the control API (/_trovemock/). Plain DOM, no framework.
// Every string from the emulator is set with textContent, never parsed as HTML.
"use strict";

const API = "/_trovemock";
const POLL_MS = 1000;
const JOURNAL_SHOWN = 500;
const BACKUP_STATUSES = ["NEW", "BUILDING", "COMPLETED", "FAILED", "DELETE_FAILED", "SAVING"];

const store = {
  token: null,
  root: null,
  state: null,
  faults: [],
  journal: [],      // oldest first
  lastSeq: 0,
  selectedSeq: null,
  view: "cloud",
  expanded: new Set(),
};

// --- DOM helpers ------------------------------------------------------------------------------

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key.startsWith("data-")) node.setAttribute(key, String(value));
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

function $(id) {
  return document.getElementById(id);
}

function show(value) {
  return value === null || value === undefined ? "—" : String(value);
}

function statusCell(status) {
  return el("td", { class: "status-" + status, text: show(status) });
}

function table(headings, rows) {
  const head = el("tr", {}, ...headings.map((h) => el("th", { text: h })));
  return el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows));
}

// --- the control API --------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const headers = {};
  if (store.token) headers["Authorization"] = "Bearer " + store.token;
  const init = { method, headers, credentials: "omit", cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(API + path, init);
  if (response.status === 401) askForToken();
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (error) {
    data = null;
  }
  if (!response.ok) {
    const fault = data && typeof data === "object" ? Object.values(data)[0] : null;
    const message = fault && fault.message ? fault.message : response.status + " " + text;
    throw new ApiError(response.status, message);
  }
  return data;
}

function report(error) {
  $("status").textContent = error ? String(error.message || error) : "";
}

// --- token ------------------------------------------------------------------------------------

function takeToken() {
  const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem("trovemock-token", decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  store.token = sessionStorage.getItem("trovemock-token");
}

function askForToken() {
  $("token-form").hidden = false;
  $("token-input").focus();
}

// --- header and clock -------------------------------------------------------------------------

function counts() {
  const state = store.state || {};
  const n = (key) => (state[key] || []).length;
  return { instances: n("instances"), backups: n("backups"), schedules: n("schedules"),
           faults: store.faults.length, journal: store.root ? store.root.journal.count : 0 };
}

function renderRouteNames() {
  const list = $("route-names");
  if (list.children.length || !store.root.routes) return;
  list.append(...store.root.routes.map((route) => el("option", { value: route })));
}

function renderHeader() {
  const root = store.root;
  renderRouteNames();
  const facts = [
    ["dialect", root.dialect], ["fidelity", root.fidelity], ["version", root.version],
    ["clock", root.clock.manual ? "manual" : "system"], ["revision", root.revision],
  ];
  for (const [key, value] of Object.entries(counts())) facts.push([key, value]);
  clear($("facts")).append(
    ...facts.map(([key, value]) => el("div", { "data-fact": key },
      el("dt", { text: key }), el("dd", { text: show(value) })))
  );
  $("clock-now").textContent = root.clock.now;
  for (const control of document.querySelectorAll("#clock button, #clock input")) {
    control.disabled = !root.clock.manual;
  }
  const next = $("clock-next");
  next.disabled = !root.clock.manual || !root.clock.next_due;
  next.title = root.clock.next_due ? `next due: ${root.clock.next_due}` : "nothing is pending";
}

function buildClockControls() {
  const presets = [["+1 s", 1], ["+10 s", 10], ["+1 min", 60], ["+1 h", 3600], ["+1 day", 86400]];
  $("clock-presets").append(...presets.map(([label, seconds]) =>
    el("button", { type: "button", text: label, "data-advance": seconds,
                   onclick: () => moveClock({ advance: seconds }) })));
  $("clock-next").addEventListener("click", () => moveClock({ advance_to: "next" }));
  $("clock-advance").addEventListener("submit", (event) => {
    event.preventDefault();
    moveClock({ advance: Number($("advance-seconds").value) });
  });
  $("clock-set").addEventListener("submit", (event) => {
    event.preventDefault();
    moveClock({ set: $("set-time").value });
  });
}

async function moveClock(body) {
  try {
    await call("POST", "/clock", body);
    report(null);
  } catch (error) {
    report(error);
  }
  await refresh();
}

// --- cloud: projects -> instances -> backups ---------------------------------------------------

function byProject(items) {
  const groups = new Map();
  for (const item of items) {
    if (!groups.has(item.project_id)) groups.set(item.project_id, []);
    groups.get(item.project_id).push(item);
  }
  return groups;
}

function chainRoot(backup, byId, roots) {
  // the full backup an incremental chain starts from: a loop, not recursion (chains may be
  // thousands deep), remembering each answer so a whole chain costs one walk
  const path = [];
  const onPath = new Set();
  let current = backup;
  while (current.parent_id && byId.has(current.parent_id) && !roots.has(current.id)) {
    if (onPath.has(current.id)) break;
    onPath.add(current.id);
    path.push(current);
    current = byId.get(current.parent_id);
  }
  const root = roots.get(current.id) || current;
  for (const step of path) roots.set(step.id, root);
  return root;
}

function forceControls(backup) {
  const select = el("select", { "aria-label": "status for " + backup.id },
    ...BACKUP_STATUSES.map((s) => el("option", { value: s, text: s, selected: s === backup.status })));
  const button = el("button", { type: "button", text: "Force", onclick: async () => {
    try {
      await call("POST", "/backups/" + encodeURIComponent(backup.id) + "/status",
                 { status: select.value });
      report(null);
    } catch (error) {
      report(error);
    }
    await refresh();
  } });
  const seconds = (label) => el("input", { type: "number", min: "0", step: "any", size: 4,
    placeholder: label, "aria-label": label + " seconds for " + backup.id, class: "seconds" });
  const newSeconds = seconds("NEW s");
  const buildingSeconds = seconds("BUILDING s");
  const durations = el("button", { type: "button", text: "Set durations", onclick: async () => {
    const body = {};
    if (newSeconds.value !== "") body.new_seconds = Number(newSeconds.value);
    if (buildingSeconds.value !== "") body.building_seconds = Number(buildingSeconds.value);
    try {
      await call("POST", "/backups/" + encodeURIComponent(backup.id) + "/durations", body);
      report(null);
    } catch (error) {
      report(error);
    }
    await refresh();
  } });
  return el("td", { class: "force" }, select, " ", button, el("br"), newSeconds, " ",
    buildingSeconds, " ", durations);
}

function objectCell(backup) {
  // with a data plane: the backup's object (its checksum) or why its tool failed
  const object = store.state.dataplane && store.state.dataplane.objects[backup.id];
  if (!object) return el("td", { class: "mono", text: show(backup.location_ref) });
  if (object.error) return el("td", { class: "mono status-FAILED", text: object.error });
  return el("td", { class: "mono", text: object.location + " · md5 " + object.checksum });
}

function serverText(owner) {
  // with a data plane: where the instance's database server listens, and its state
  const server = store.state.dataplane && store.state.dataplane.servers[owner.id];
  if (!server) return "";
  return " · " + server.engine + " " + server.version + " on " + server.address + ":" +
    server.port + " (" + server.state + ")";
}

function backupRow(backup, depth) {
  return el("tr", { "data-backup": backup.id, "data-status": backup.status },
    el("td", { class: "name", text: (depth ? "↳ ".repeat(Math.min(depth, 1)) : "") + show(backup.name) }),
    statusCell(backup.status),
    el("td", { text: backup.size === null ? "—" : backup.size + " GB" }),
    el("td", { class: "id", text: backup.id }),
    el("td", { class: "id", text: show(backup.parent_id) }),
    el("td", { text: show(backup.region) }),
    objectCell(backup),
    el("td", { text: show(backup.updated) }),
    forceControls(backup));
}

function backupTable(backups, byId) {
  // full backups as rows; each chain's incrementals collapsed under one flat <details>
  const children = new Map();
  const roots = new Map();
  for (const backup of backups) {
    if (backup.parent_id) {
      const root = chainRoot(backup, byId, roots);
      if (!children.has(root.id)) children.set(root.id, []);
      children.get(root.id).push(backup);
    }
  }
  const rows = [];
  for (const backup of backups) {
    if (backup.parent_id && byId.has(backup.parent_id)) continue;
    rows.push(backupRow(backup, 0));
    const chain = children.get(backup.id);
    if (!chain) continue;
    const details = el("details", { class: "chain", open: store.expanded.has(backup.id) },
      el("summary", { text: chain.length + " incremental backup(s) in this chain" }));
    details.addEventListener("toggle", () => {
      if (details.open) {
        store.expanded.add(backup.id);
        if (details.children.length === 1) {
          details.append(table(["name", "status", "size", "id", "parent", "region", "object", "updated", "force"],
            chain.map((b) => backupRow(b, 1))));
        }
      } else {
        store.expanded.delete(backup.id);
      }
    });
    if (details.open) {
      details.append(table(["name", "status", "size", "id", "parent", "region", "object", "updated", "force"],
        chain.map((b) => backupRow(b, 1))));
    }
    rows.push(el("tr", {}, el("td", { colSpan: 9 }, details)));
  }
  return table(["name", "status", "size", "id", "parent", "region", "object", "updated", "force"], rows);
}

function renderCloud() {
  const view = clear($("view-cloud"));
  const state = store.state;
  const backups = state.backups.filter((b) => b.origin_id === b.id || !b.origin_id);
  const byId = new Map(state.backups.map((b) => [b.id, b]));
  const instances = [...state.instances, ...(state.ha_groups || []).map((g) => ({ ...g, ha: true }))];
  const projects = new Set([...instances.map((i) => i.project_id), ...backups.map((b) => b.project_id)]);
  if (projects.size === 0) {
    view.append(el("p", { class: "muted", text: "The cloud is empty: seed an instance (POST /_trovemock/instances) and create backups through the API." }));
    return;
  }
  for (const project of [...projects].sort()) {
    const section = el("section", { class: "project", "data-project": project },
      el("h2", { text: "Project " + project }));
    const owned = instances.filter((i) => i.project_id === project);
    const shownIds = new Set();
    for (const owner of owned) {
      const mine = backups.filter((b) => b.project_id === project && b.instance_id === owner.id);
      mine.forEach((b) => shownIds.add(b.id));
      const what = owner.ha ? "HA group " : "Instance ";
      section.append(el("div", { class: "instance", "data-instance": owner.id },
        el("h3", {}, what, el("span", { text: show(owner.name) }), " ",
          el("span", { class: "status-" + owner.status, text: show(owner.status) }), " ",
          el("span", { class: "muted mono", text: owner.id + " · " + owner.region +
            (owner.datastore ? " · " + owner.datastore.type + " " + owner.datastore.version : "") +
            serverText(owner) })),
        mine.length ? backupTable(mine, byId) : el("p", { class: "muted", text: "no backups" })));
    }
    const orphans = backups.filter((b) => b.project_id === project && !shownIds.has(b.id));
    if (orphans.length) {
      section.append(el("div", { class: "instance" },
        el("h3", { text: "Backups of deleted or unknown instances" }), backupTable(orphans, byId)));
    }
    view.append(section);
  }
}

// --- copies, schedules, strategies ------------------------------------------------------------

function renderCopies() {
  const view = clear($("view-copies"));
  const copies = store.state.backups.filter((b) => b.origin_id && b.origin_id !== b.id);
  if (!copies.length) {
    view.append(el("p", { class: "muted", text: "No cross-region copies (create a backup with copy_to, or a schedule that copies)." }));
    return;
  }
  const byId = new Map(store.state.backups.map((b) => [b.id, b]));
  view.append(table(["copy", "status", "region", "from backup", "from region", "project"],
    copies.map((c) => el("tr", { "data-backup": c.id },
      el("td", { class: "id", text: c.id }), statusCell(c.status), el("td", { text: c.region }),
      el("td", { class: "id", text: c.origin_id }),
      el("td", { text: byId.has(c.origin_id) ? byId.get(c.origin_id).region : "—" }),
      el("td", { text: c.project_id })))));
}

function renderSchedules() {
  const view = clear($("view-schedules"));
  const { schedules, schedule_runs: runs } = store.state;
  if (!schedules.length && !runs.length) {
    view.append(el("p", { class: "muted", text: "No scheduled backups." }));
    return;
  }
  const pad = (n) => String(n).padStart(2, "0");
  view.append(el("h2", { text: "Schedules" }), table(
    ["id", "project", "source", "when (UTC)", "retention", "copy to", "next run", "last scheduled"],
    schedules.map((s) => el("tr", { "data-schedule": s.id },
      el("td", { class: "id", text: s.id }), el("td", { text: s.project_id }),
      el("td", { class: "mono", text: s.source_type + " " + s.source_id }),
      el("td", { text: (s.day_of_week === null ? "daily" : "day " + s.day_of_week) + " " + pad(s.hour) + ":" + pad(s.minute) }),
      el("td", { text: show(s.full_backup_retention) }), el("td", { text: (s.copy_to || []).join(", ") || "—" }),
      el("td", { text: show(s.next_run) }), el("td", { text: show(s.last_scheduled) })))));
  view.append(el("h2", { text: "Runs (newest first)" }), table(
    ["due", "schedule", "outcome", "kind", "backup", "reason", "fault rule"],
    runs.slice(-500).reverse().map((r) => el("tr", {},
      el("td", { text: show(r.due) }), el("td", { class: "id", text: r.schedule_id }),
      el("td", { text: show(r.outcome) + (r.runs > 1 ? " ×" + r.runs : "") }),
      el("td", { text: show(r.kind) }), el("td", { class: "id", text: show(r.backup_id) }),
      el("td", { text: show(r.reason) }), el("td", { text: show(r.fault_rule) })))));
}

function renderStrategies() {
  const view = clear($("view-strategies"));
  const strategies = store.state.backup_strategies || [];
  if (!strategies.length) {
    view.append(el("p", { class: "muted", text: "No backup strategies." }));
    return;
  }
  view.append(table(["project", "region", "instance", "swift container", "backend"],
    strategies.map((s) => el("tr", {},
      el("td", { text: s.project_id }), el("td", { text: s.region }),
      el("td", { class: "id", text: s.instance_id || "(project-wide)" }),
      el("td", { text: show(s.swift_container) }), el("td", { text: show(s.backend) })))));
}

// --- journal ----------------------------------------------------------------------------------

async function pullJournal() {
  const root = store.root;
  if (root.journal.last_seq === null || root.journal.last_seq < store.lastSeq) {
    store.journal = []; // cleared or reset since the last poll
    store.lastSeq = 0;
  }
  while (root.journal.last_seq !== null && store.lastSeq < root.journal.last_seq) {
    const page = await call("GET", "/journal?since=" + store.lastSeq + "&limit=500");
    if (!page.journal.length) break;
    store.journal.push(...page.journal);
    store.lastSeq = page.journal[page.journal.length - 1].seq;
  }
  if (store.journal.length > 10000) store.journal.splice(0, store.journal.length - 10000);
}

function journalFilters() {
  return { route: $("filter-route").value, status: $("filter-status").value.trim(),
           project: $("filter-project").value.trim() };
}

function renderJournal() {
  const routes = new Set(store.journal.map((e) => e.route).filter(Boolean));
  const select = $("filter-route");
  const known = new Set([...select.options].map((o) => o.value));
  for (const route of [...routes].sort()) {
    if (!known.has(route)) select.append(el("option", { value: route, text: route }));
  }
  const f = journalFilters();
  const shown = store.journal.filter((e) =>
    (!f.route || e.route === f.route || (f.route === "(unmatched)" && !e.route)) && (!f.status || String(e.status) === f.status) &&
    (!f.project || e.project_id === f.project)).slice(-JOURNAL_SHOWN).reverse();
  const body = clear($("journal-table").tBodies[0]);
  for (const entry of shown) {
    const row = el("tr", { "data-seq": entry.seq, class: (entry.fault_rule ? "faulted " : "") +
        (entry.seq === store.selectedSeq ? "selected" : ""),
        onclick: () => selectEntry(entry.seq) },
      el("td", { text: entry.seq }), el("td", { text: show(entry.time) }),
      el("td", { text: entry.method }), el("td", { class: "mono", text: entry.path }),
      el("td", { text: show(entry.route) }), el("td", { text: entry.status }),
      el("td", { text: show(entry.fault_rule) }));
    body.append(row);
  }
}

function curlFor(entry) {
  const quote = (s) => "'" + String(s).replace(/'/g, "'\\''") + "'";
  const query = new URLSearchParams(entry.query || {}).toString();
  const parts = ["curl", "-X", entry.method, quote(location.origin + entry.path + (query ? "?" + query : ""))];
  for (const [name, value] of Object.entries(entry.headers || {})) {
    if (["host", "content-length"].includes(name.toLowerCase())) continue;
    parts.push("-H", quote(name + ": " + value));
  }
  if (entry.request_json !== null && entry.request_json !== undefined) {
    parts.push("--data", quote(JSON.stringify(entry.request_json)));
  } else if (entry.request_text) {
    parts.push("--data", quote(entry.request_text));
  }
  return parts.join(" ");
}

function selectEntry(seq) {
  store.selectedSeq = seq;
  const entry = store.journal.find((e) => e.seq === seq);
  const detail = clear($("journal-detail"));
  renderJournal();
  if (!entry) return;
  const curl = curlFor(entry);
  const curlBox = el("pre", { class: "curl", text: curl });
  detail.append(
    el("h2", { text: "#" + entry.seq + " " + entry.method + " " + entry.path }),
    el("p", {}, "status ", el("strong", { text: entry.status }), " · route ",
      el("span", { text: show(entry.route) }), " · delivery ", el("span", { text: show(entry.delivery) }),
      " · ", el("span", { text: Math.round(entry.duration_ms || 0) + " ms" }),
      " · emulator time ", el("span", { text: show(entry.time) })),
    el("p", {}, "fault rule: ", el("strong", { class: "fault-rule", text: show(entry.fault_rule) })),
    el("h3", { text: "Request headers (tokens masked)" }),
    el("pre", { text: JSON.stringify(entry.headers, null, 2) }),
    el("h3", { text: "Request body" }),
    el("pre", { text: entry.request_json !== null ? JSON.stringify(entry.request_json, null, 2) : show(entry.request_text) }),
    el("h3", { text: "Response" }),
    el("pre", { text: JSON.stringify(entry.response_headers, null, 2) }),
    el("pre", { class: "response", text: entry.response_json !== null ? JSON.stringify(entry.response_json, null, 2) : show(entry.response_text) }),
    el("h3", { text: "As curl" }),
    el("button", { type: "button", text: "Copy as curl", onclick: async () => {
      try {
        await navigator.clipboard.writeText(curl);
        report(null);
      } catch (error) {
        report(new Error("The browser refused the clipboard: select the command below."));
      }
    } }),
    curlBox);
}

// --- faults -----------------------------------------------------------------------------------

function describeMatch(rule) {
  const parts = [rule.method, rule.route, rule.path].filter(Boolean);
  if (rule.project_id) parts.push("project=" + rule.project_id);
  if (rule.region) parts.push("region=" + rule.region);
  return parts.join(" ") || "any request";
}

function describeAction(rule) {
  const parts = [];
  if (rule.status) parts.push(String(rule.status));
  if (rule.message) parts.push(rule.message);
  if (rule.latency) parts.push("+" + rule.latency + " s");
  if (rule.drop) parts.push("drop");
  if (rule.outcome) parts.push("outcome " + rule.outcome);
  return parts.join(" · ") || "—";
}

function renderFaults() {
  const body = clear($("faults-table").tBodies[0]);
  if (!store.faults.length) {
    body.append(el("tr", {}, el("td", { colSpan: 6, class: "muted", text: "No fault rules." })));
  }
  for (const rule of store.faults) {
    const limit = [rule.times ? "times " + rule.times : "", rule.probability ? "p " + rule.probability : ""]
      .filter(Boolean).join(", ");
    body.append(el("tr", { "data-rule": rule.id, class: rule.fired ? "" : "unfired" },
      el("td", { class: "id", text: rule.id }), el("td", { text: describeMatch(rule) }),
      el("td", { text: describeAction(rule) }), el("td", { text: limit || "—" }),
      el("td", { class: "fired", text: rule.fired }),
      el("td", {}, el("button", { type: "button", text: "Delete", onclick: async () => {
        try {
          await call("DELETE", "/faults/" + encodeURIComponent(rule.id));
          report(null);
        } catch (error) {
          report(error);
        }
        await refresh();
      } }))));
  }
}

function buildFaultForm() {
  $("fault-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const rule = {};
    const text = (id, key) => { const v = $(id).value.trim(); if (v) rule[key] = v; };
    const number = (id, key) => { const v = $(id).value.trim(); if (v) rule[key] = Number(v); };
    text("fault-route", "route");
    text("fault-method", "method");
    text("fault-project", "project_id");
    number("fault-status", "status");
    text("fault-message", "message");
    number("fault-times", "times");
    number("fault-probability", "probability");
    try {
      await call("POST", "/faults", rule);
      $("fault-error").textContent = "";
    } catch (error) {
      $("fault-error").textContent = error.message;
    }
    await refresh();
  });
  $("faults-clear").addEventListener("click", async () => {
    await call("DELETE", "/faults").catch(report);
    await refresh();
  });
}

// --- state ------------------------------------------------------------------------------------

function buildStateControls() {
  $("state-export").addEventListener("click", async () => {
    try {
      const state = await call("GET", "/state");
      const blob = new Blob([JSON.stringify(state, null, 2)], { type: "application/json" });
      const link = el("a", { href: URL.createObjectURL(blob), download: "trovemock-state.json" });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      $("state-error").textContent = error.message;
    }
  });
  $("state-file").addEventListener("change", async () => {
    const file = $("state-file").files[0];
    if (!file) return;
    try {
      await call("PUT", "/state", await file.text());
      $("state-error").textContent = "";
    } catch (error) {
      $("state-error").textContent = error.message;
    }
    $("state-file").value = "";
    await refresh();
  });
  $("reset").addEventListener("click", () => { $("reset-confirm").hidden = false; });
  $("reset-no").addEventListener("click", () => { $("reset-confirm").hidden = true; });
  $("reset-yes").addEventListener("click", async () => {
    $("reset-confirm").hidden = true;
    await call("POST", "/reset").catch(report);
    await refresh();
  });
}

// --- tabs, polling ----------------------------------------------------------------------------

const RENDER = { cloud: renderCloud, copies: renderCopies, schedules: renderSchedules,
                 strategies: renderStrategies, journal: renderJournal, faults: renderFaults,
                 state: () => {} };

function buildTabs() {
  for (const view of document.querySelectorAll(".view")) {
    const name = view.id.replace("view-", "");
    $("tabs").append(el("button", { type: "button", text: view.dataset.title, "data-view": name,
      role: "tab", onclick: () => selectView(name) }));
  }
  const wanted = /#\/(\w+)/.exec(location.hash);
  selectView(wanted && RENDER[wanted[1]] ? wanted[1] : "cloud");
}

function selectView(name) {
  store.view = name;
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== "view-" + name;
  for (const tab of $("tabs").children) tab.setAttribute("aria-selected", String(tab.dataset.view === name));
  document.body.dataset.view = name;
  if (store.state) RENDER[name]();
}

let busy = false;
let again = false;
let seenRevision = null;

async function refresh(force = true) {
  if (busy) {
    again = again || force; // a click during a poll: fetch once more when it is done
    return;
  }
  busy = true;
  try {
    const root = await call("GET", "/");
    store.root = root;
    if (force || root.revision !== seenRevision) {
      const [state, faults] = await Promise.all([call("GET", "/state"), call("GET", "/faults")]);
      store.state = state;
      store.faults = faults.faults;
      if (!$("journal-paused").checked) await pullJournal();
      seenRevision = root.revision;
      renderHeader();
      RENDER[store.view]();
      document.body.dataset.revision = String(root.revision);
      document.body.dataset.ready = "1";
    }
    $("token-form").hidden = true;
  } catch (error) {
    report(error);
  } finally {
    busy = false;
  }
  if (again) {
    again = false;
    await refresh(true);
  }
}

function poll() {
  if (document.visibilityState === "visible") refresh(false);
  setTimeout(poll, POLL_MS);
}

function start() {
  takeToken();
  $("token-entry").addEventListener("submit", (event) => {
    event.preventDefault();
    store.token = $("token-input").value.trim();
    sessionStorage.setItem("trovemock-token", store.token);
    $("token-input").value = "";
    refresh();
  });
  for (const id of ["filter-route", "filter-status", "filter-project"]) {
    $(id).addEventListener("input", renderJournal);
  }
  buildClockControls();
  buildFaultForm();
  buildStateControls();
  buildTabs();
  refresh().then(poll);
}

document.addEventListener("DOMContentLoaded", start);
