// The operator console: polls /console/data every two seconds and redraws. No libraries, no inline code (the
// page's Content-Security-Policy allows this script alone), charts drawn as SVG elements.
"use strict";

const REFRESH_MS = 2000;
const SVG = "http://www.w3.org/2000/svg";

function el(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function number(value) {
  if (value === null || value === undefined) return "—";
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 0);
}

function seconds(value) {
  if (value === null || value === undefined) return "—";
  if (value < 1) return Math.round(value * 1000) + " ms";
  if (value < 120) return value.toFixed(1) + " s";
  return Math.round(value / 60) + " min";
}

function age(value) {
  if (value === null || value === undefined) return "—";
  if (value < 60) return value + "s";
  if (value < 3600) return Math.floor(value / 60) + "m";
  return Math.floor(value / 3600) + "h" + String(Math.floor((value % 3600) / 60)).padStart(2, "0");
}

function tiles(container, counts, prefix, unavailable) {
  container.replaceChildren();
  if (counts === null || counts === undefined) {
    container.append(el("p", { class: "muted" }, unavailable));
    return;
  }
  const entries = Object.entries(counts);
  if (entries.length === 0) {
    container.append(el("p", { class: "muted" }, "none yet"));
  }
  for (const [label, count] of entries) {
    const tile = el("div", { class: "tile", id: prefix + "-" + label });
    tile.append(el("span", { class: "count" }, number(count)), el("span", { class: "label" }, label));
    container.append(tile);
  }
}

function binLabel(upTo) {
  if (upTo === null) return "more";
  return upTo < 1 ? "≤" + Math.round(upTo * 1000) + "ms" : "≤" + upTo + "s";
}

function histogram(container, figure, unavailable) {
  container.replaceChildren();
  if (figure === null || figure === undefined) {
    container.append(el("p", { class: "muted" }, unavailable));
    return;
  }
  const mean = figure.count === 0 ? null : figure.sumSeconds / figure.count;
  container.append(el("p", { class: "muted" }, figure.count + " observed · mean " + seconds(mean)
      + " · max " + seconds(figure.maxSeconds)));
  if (figure.bins.length === 0) {
    container.append(el("p", { class: "muted" }, "this timer publishes no histogram buckets"));
    return;
  }
  // leading and trailing empty bins are dropped, so the bars that matter get the width
  let first = figure.bins.findIndex(bin => bin.count > 0);
  let last = figure.bins.length - 1 - [...figure.bins].reverse().findIndex(bin => bin.count > 0);
  if (first < 0) { first = 0; last = figure.bins.length - 1; }
  const bins = figure.bins.slice(Math.max(0, first - 1), Math.min(figure.bins.length, last + 2));
  const width = 320, height = 150, bottom = 18, top = 12;
  const most = Math.max(1, ...bins.map(bin => bin.count));
  const slot = width / bins.length;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": container.id + " histogram" });
  bins.forEach((bin, i) => {
    const barHeight = (height - bottom - top) * bin.count / most;
    const x = i * slot + slot * 0.1;
    const y = height - bottom - barHeight;
    const bar = svg("rect", { class: "bar", x: x.toFixed(1), y: y.toFixed(1), width: (slot * 0.8).toFixed(1),
      height: barHeight.toFixed(1) });
    bar.append(svg("title", {}, binLabel(bin.upToSeconds) + ": " + bin.count));
    chart.append(bar);
    if (bin.count > 0) {
      chart.append(svg("text", { class: "value", x: (x + slot * 0.4).toFixed(1), y: (y - 2).toFixed(1),
        "text-anchor": "middle" }, String(bin.count)));
    }
    chart.append(svg("text", { class: "axis", x: (x + slot * 0.4).toFixed(1), y: height - 4, "text-anchor": "middle" },
        binLabel(bin.upToSeconds)));
  });
  container.append(chart);
}

function lags(container, lagList, relayLagMillis) {
  container.replaceChildren();
  const table = el("table");
  const head = table.appendChild(el("thead")).appendChild(el("tr"));
  head.append(el("th", {}, "directory of"), el("th", {}, "changes"), el("th", {}, "mean"), el("th", {}, "max"));
  const body = table.appendChild(el("tbody"));
  for (const lag of lagList) {
    const row = el("tr");
    row.append(el("td", { class: "source" }, lag.source), el("td", {}, String(lag.count)), el("td", {}, seconds(lag.meanSeconds)),
        el("td", {}, seconds(lag.maxSeconds)));
    body.append(row);
  }
  container.append(table);
  container.append(el("p", { class: "muted", id: "relay-lag" }, "relay (commit → Kafka acknowledged, newest change): "
      + (relayLagMillis === null ? "—" : seconds(relayLagMillis / 1000))));
}

function sessions(table, rows) {
  const body = table.tBodies[0];
  body.replaceChildren();
  if (rows === null) {
    body.appendChild(el("tr")).append(el("td", { colspan: 5, class: "muted" }, "the session view is still loading"));
    return;
  }
  for (const session of rows) {
    const row = el("tr", { "data-session-id": session.id });
    row.append(el("td", { class: "id" }, session.id),
        el("td", { class: "status status-" + session.status }, session.status.toLowerCase()),
        el("td", { class: "machine" }, session.machineId || "—"), el("td", {}, age(session.ageSeconds)),
        el("td", {}, session.owner || "—"));
    body.append(row);
  }
}

function sources(list, all) {
  list.replaceChildren();
  for (const source of all) {
    list.append(el("li", { class: source.available ? "" : "unavailable" },
        source.source + ": " + (source.available ? "ok" : "unavailable, " + source.error)));
  }
}

function draw(snapshot) {
  const loading = "the session view is still loading";
  const missing = "no metrics source has this figure";
  tiles(document.getElementById("sessions-by-status"), snapshot.sessionsByStatus, "status", loading);
  tiles(document.getElementById("machines-by-state"), snapshot.machinesByState, "machines", loading);
  histogram(document.getElementById("provisioning"), snapshot.provisioning, missing);
  histogram(document.getElementById("router-hold"), snapshot.routerHold, missing);
  lags(document.getElementById("changelog-lag"), snapshot.changelogLag, snapshot.relayLagMillis);
  tiles(document.getElementById("cleanup-actions"), snapshot.cleanupActions, "cleanup", missing);
  tiles(document.getElementById("dead-lettered"),
      snapshot.deadLettered === null ? null : { "dead-lettered": snapshot.deadLettered }, "dlt", missing);
  sessions(document.getElementById("newest-sessions"), snapshot.newestSessions);
  sources(document.getElementById("sources"), snapshot.sources);
  document.getElementById("updated").textContent = "updated " + new Date(snapshot.computedAt).toLocaleTimeString();
}

async function refresh() {
  const updated = document.getElementById("updated");
  try {
    const response = await fetch("/console/data", { headers: { Accept: "application/json" }, cache: "no-store" });
    if (response.status === 401 || response.status === 403) {
      // the cookie expired or was refused: the page itself now answers with the sign-in form
      window.location.reload();
      return;
    }
    if (!response.ok) {
      updated.textContent = "refresh failed: " + response.status;
    } else {
      draw(await response.json());
    }
  } catch (error) {
    updated.textContent = "refresh failed: " + error.message;
  }
  setTimeout(refresh, REFRESH_MS);
}

document.addEventListener("DOMContentLoaded", refresh);
