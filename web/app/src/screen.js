// The command centre's big screen (#/screen, #/screen/<area code>): live counters, the
// dashboard's panels (every panel the API gives) around a map of the area, a time range,
// and a drill-down from the district to a township, a community, a grid — the whole screen
// follows the area in the hash. console.js calls mount(container, {account}) once signed
// in, then route("screen", code) at each change of the hash.
import { gql, h, showError, subscribe, STATUS_ZH } from "/app/src/api.js";
import { formatValue, rawValue, renderPanels, LEVEL_ZH } from "/app/src/screen-charts.js";
import { createMap, EVENT_COLOURS, STATUS_ZH as TILE_STATUS_ZH } from "/app/src/screen-map.js";

const REFRESH_MS = 5 * 60 * 1000; // the whole screen
const COUNTERS_MS = 2000; // live counters: at most one read per this
const CAROUSEL_MS = 15 * 1000;
const FEED_SIZE = 8;

const DASHBOARD = `query Screen($r: String, $from: Date, $to: Date) {
  clock: dashboard(regionCode: $r) { to }
  dashboard(regionCode: $r, from: $from, to: $to) {
    area { code name level prefix } from to start end
    panels { key title figures { key label value unit chart
      breakdown { area { code name level } value } } }
  }
}`;

const COUNTERS = `query Counters($r: String, $today: Date, $start: DateTime, $end: DateTime) {
  today: dashboard(regionCode: $r, from: $today, to: $today) {
    panel(key: "work_assessment") { figure(key: "events_reported") { value } }
  }
  indicators: eventIndicators(regionCode: $r, from: $start, to: $end) {
    due closed closedOnTime closeRate onTimeRate averageSatisfaction overdue
  }
  all: events(regionCode: $r, first: 0) { totalCount }
  closed: events(regionCode: $r, status: CLOSED, first: 0) { totalCount }
}`;

const PLACE = `query Place($c: String!) { region(code: $c) { code prefix name level geometry
  parent { code prefix name level parent { code prefix name level parent { code prefix name level } } } } }`;
const GRID_PLACE = `query GridPlace($c: String!) { grid(code: $c) { code name geometry
  region { code prefix name level parent { code prefix name level parent { code prefix name level } } } } }`;

const LIVE = `subscription Live($r: String) { eventChanged(regionCode: $r) {
  id status overdue collectedAt category { nameZh } grid { name } } }`;

const COUNTER_CARDS = [
  { key: "reported_today", label: "今日上报", note: "今日", unit: "" },
  { key: "open", label: "在办事件", note: "当前未结案", unit: "" },
  { key: "overdue", label: "超期未办结", note: "当前", unit: "", tone: "bad" },
  { key: "closed", label: "已结案", note: "统计期内到期", unit: "" },
  { key: "on_time_rate", label: "按期结案率", note: "统计期", unit: "%", tone: "ok" },
  { key: "close_rate", label: "结案率", note: "统计期", unit: "%" },
  { key: "satisfaction", label: "群众满意度", note: "统计期", unit: "/5" },
];

// --- dates (local days of the server's calendar, as YYYY-MM-DD) -----------------------------
function day(text) {
  const [y, m, d] = text.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}
function iso(date) {
  return date.toISOString().slice(0, 10);
}
function presets(today) {
  const t = day(today);
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth();
  const minus = (days) => iso(new Date(t.getTime() - days * 86400000));
  return [
    { key: "month", label: "本月", from: iso(new Date(Date.UTC(y, m, 1))), to: today },
    { key: "quarter", label: "本季度", from: iso(new Date(Date.UTC(y, m - (m % 3), 1))), to: today },
    { key: "year", label: "本年", from: iso(new Date(Date.UTC(y, 0, 1))), to: today },
    { key: "30d", label: "近30天", from: minus(29), to: today },
    { key: "default", label: "近一年", from: null, to: null },
  ];
}

function clock() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export async function mount(container, { account }) {
  const state = {
    requested: undefined, // the code of the hash (null: the default area)
    area: null, // the dashboard's area
    from: null, to: null, start: null, end: null, today: null,
    preset: "default",
    shown: null, // the period of the dashboard on the screen
    loading: 0,
    stale: false,
  };
  const memory = new Map(); // each panel's chosen view
  const places = new Map(); // area code -> { trail, geometry }
  let panels = null;
  let stopLive = null;
  let liveArea = null;
  let carousel = null;

  // --- skeleton ---------------------------------------------------------------------------
  const crumbs = h("nav", { class: "sc-crumbs", "aria-label": "当前区域" });
  const fromInput = h("input", { type: "date", name: "from", "aria-label": "开始日期", required: true });
  const toInput = h("input", { type: "date", name: "to", "aria-label": "结束日期", required: true });
  const presetBox = h("div", { class: "sc-presets", role: "group", "aria-label": "快捷时段" });
  const updated = h("span", { class: "sc-updated", "aria-live": "off" });
  const carouselBox = h("input", { type: "checkbox", name: "carousel" });
  const bar = h("div", { class: "sc-bar" },
    crumbs,
    h("form", { class: "sc-period", "aria-label": "统计时段", onsubmit: (e) => e.preventDefault() },
      h("span", { class: "sc-period-label" }, "统计时段"),
      fromInput, h("span", { "aria-hidden": "true" }, "至"), toInput, presetBox),
    h("div", { class: "sc-tools" },
      h("label", { class: "sc-check" }, carouselBox, "轮播图表"),
      updated,
      h("button", { type: "button", onclick: () => refresh() }, "刷新")));

  const counterCards = new Map();
  const counters = h("section", { class: "sc-counters", "aria-label": "实时指标" },
    COUNTER_CARDS.map((c) => {
      const value = h("strong", { class: "sc-counter-value" }, "…");
      const note = h("small", { class: "sc-counter-note" }, c.note);
      const card = h("div", { class: `sc-counter ${c.tone || ""}`, "data-counter": c.key, "data-value": "" },
        h("span", { class: "sc-counter-label" }, c.label), value, note);
      counterCards.set(c.key, { card, value, note, spec: c });
      return card;
    }));

  const left = h("div", { class: "sc-col sc-left" });
  const right = h("div", { class: "sc-col sc-right" });
  const mapEl = h("div", { class: "sc-map", id: "screen-map", role: "region", "aria-label": "区域地图", "data-ready": "false" });
  const feed = h("ol", { class: "sc-feed-list" });
  const feedBox = h("section", { class: "sc-feed", "aria-label": "实时动态", "aria-live": "polite" },
    h("h3", {}, "实时动态"), feed, h("p", { class: "sc-feed-empty" }, "等待事件上报或变化…"));
  const layersBox = h("div", { class: "sc-layers", role: "group", "aria-label": "图层" });
  const legend = h("div", { class: "sc-legend", "aria-hidden": "true" },
    h("span", {}, h("i", { style: "background:#ff3b3b" }), "超期"),
    Object.entries(EVENT_COLOURS).map(([status, colour]) =>
      h("span", {}, h("i", { style: `background:${colour}` }), TILE_STATUS_ZH[status])));
  const mapWrap = h("div", { class: "sc-map-wrap" }, mapEl, layersBox, legend, feedBox);

  const root = h("div", { class: "sc" }, bar, counters,
    h("div", { class: "sc-body" }, left, mapWrap, right));
  container.replaceChildren(root);

  // --- the map (made while the first dashboard loads) -------------------------------------
  let map = null;
  const mapReady = (async () => {
    const [layerList, categories] = await Promise.all([
      fetch("/tiles.json").then((r) => {
        if (!r.ok) throw new Error(`地图图层列表加载失败（HTTP ${r.status}）`);
        return r.json();
      }),
      gql("{ eventCategories { code nameZh } }"),
    ]);
    const categoryNames = Object.fromEntries(categories.eventCategories.map((c) => [c.code, c.nameZh]));
    map = createMap(mapEl, { layers: layerList.layers, onDrill: drill, categories: categoryNames });
    const toggle = (label, checked, onchange) => h("label", { class: "sc-check" },
      h("input", { type: "checkbox", checked, onchange: (e) => onchange(e.target.checked) }), label);
    layersBox.append(
      toggle("网格", true, (on) => map.setVisible(["grid-fill", "grid-line"], on)),
      toggle("事件", true, (on) => map.setVisible(["event-points"], on)),
      map.hasHeat ? toggle("热力", false, (on) => map.setHeat(on)) : null,
      h("select", { "aria-label": "事件范围", onchange: (e) => map.setEvents(e.target.value) },
        h("option", { value: "open" }, "未结案事件"),
        h("option", { value: "all" }, "统计期内全部事件")));
    return map;
  })();
  mapReady.catch(() => {}); // shown by the load that waits for it

  // --- drill-down: the hash holds the area ---------------------------------------------------
  function drill(code) {
    if (!code || (state.area && code === state.area.code)) return;
    location.hash = `#/screen/${code}`;
  }

  // the area's trail from the district down, and its boundary (kept per code)
  async function place(code) {
    if (places.has(code)) return places.get(code);
    let node;
    let geometry;
    if (code.length === 15) {
      const data = await gql(GRID_PLACE, { c: code });
      node = { code: data.grid.code, name: data.grid.name, level: "GRID", parent: data.grid.region };
      geometry = data.grid.geometry;
    } else {
      const data = await gql(PLACE, { c: code });
      node = data.region;
      geometry = data.region.geometry;
    }
    const trail = [];
    for (let n = node; n; n = n.parent) trail.unshift({ code: n.code, name: n.name, level: n.level, prefix: n.prefix || n.code });
    const result = { trail: trail.filter((n) => LEVEL_ZH[n.level]), geometry };
    places.set(code, result);
    return result;
  }

  function showCrumbs(trail) {
    const top = (account && ((account.grid && account.grid.code) || (account.region && account.region.code))) || "";
    const items = [];
    trail.forEach((n, i) => {
      const last = i === trail.length - 1;
      // above the account's own area the dashboard would be forbidden: no link
      const above = top && n.code !== top && top.startsWith(n.prefix) && n.prefix.length < top.length;
      const label = [h("small", {}, LEVEL_ZH[n.level]), n.name];
      if (i) items.push(h("span", { class: "sc-sep", "aria-hidden": "true" }, "›"));
      if (last) items.push(h("span", { class: "sc-crumb current", "aria-current": "page", "data-code": n.code }, label));
      else if (above) items.push(h("span", { class: "sc-crumb", "data-code": n.code }, label));
      else items.push(h("a", { class: "sc-crumb", href: `#/screen/${n.code}`, "data-code": n.code }, label));
    });
    crumbs.replaceChildren(...items);
  }

  // --- the time range ------------------------------------------------------------------------
  function showPeriod() {
    fromInput.value = state.from || "";
    toInput.value = state.to || "";
    presetBox.replaceChildren(...presets(state.today).map((p) =>
      h("button", {
        type: "button", class: "sc-preset", "data-preset": p.key, "aria-pressed": String(p.key === state.preset),
        onclick: () => setPeriod(p.from, p.to, p.key),
      }, p.label)));
  }

  function setPeriod(from, to, preset = null) {
    if (from && to && from > to) {
      showError(new Error(`开始日期（${from}）晚于结束日期（${to}）`));
      showPeriod(); // back to the period shown
      return;
    }
    state.from = from;
    state.to = to;
    state.preset = preset;
    load(state.requested);
  }

  const periodChanged = () => {
    if (fromInput.value && toInput.value) setPeriod(fromInput.value, toInput.value);
  };
  fromInput.addEventListener("change", periodChanged);
  toInput.addEventListener("change", periodChanged);

  // --- counters --------------------------------------------------------------------------------
  let countersSeq = 0;
  let countersAt = 0;
  let countersTimer = null;

  // the counters' answer for an area over the period known now
  function fetchCounters(code) {
    countersAt = Date.now();
    const seq = ++countersSeq; // the last asked is shown
    const asked = { area: code, start: state.start, end: state.end, today: state.today };
    return gql(COUNTERS, { r: code, today: asked.today, start: asked.start, end: asked.end })
      .then((data) => ({ data, asked, seq }));
  }

  function showCounters({ data, asked, seq }) {
    if (seq !== countersSeq || !state.area || asked.area !== state.area.code) return;
    const i = data.indicators;
    const reported = data.today.panel && data.today.panel.figure ? data.today.panel.figure.value : null;
    const values = {
      reported_today: reported,
      open: data.all.totalCount - data.closed.totalCount,
      overdue: i.overdue,
      closed: i.closed,
      on_time_rate: i.onTimeRate,
      close_rate: i.closeRate,
      satisfaction: i.averageSatisfaction,
    };
    Object.assign(counters.dataset, asked);
    for (const [key, { card, value, note, spec }] of counterCards) {
      const v = values[key];
      const changed = card.dataset.value !== rawValue(v);
      card.dataset.value = rawValue(v);
      value.textContent = formatValue(v, spec.unit === "%" ? "%" : spec.unit);
      if (key === "closed") note.textContent = `应办结 ${formatValue(i.due)} 件`;
      if (changed && card.dataset.shown) {
        card.classList.remove("bump");
        void card.offsetWidth; // restart the animation
        card.classList.add("bump");
      }
      card.dataset.shown = "1";
    }
  }

  // at most one read per COUNTERS_MS, however many events change meanwhile
  function scheduleCounters() {
    if (countersTimer) return;
    const wait = Math.max(0, countersAt + COUNTERS_MS - Date.now());
    countersTimer = setTimeout(() => {
      countersTimer = null;
      if (state.area) fetchCounters(state.area.code).then(showCounters).catch(showError);
    }, wait);
  }

  // --- live: every event of the area as it is reported or changes ----------------------------
  function onEvent(data) {
    const e = data.eventChanged;
    const time = new Date(e.collectedAt);
    const pad = (n) => String(n).padStart(2, "0");
    const item = h("li", { class: e.overdue ? "overdue" : "", "data-event": e.id },
      h("time", { datetime: e.collectedAt }, `${pad(time.getMonth() + 1)}-${pad(time.getDate())} ${pad(time.getHours())}:${pad(time.getMinutes())}`),
      h("a", { href: `#/event/${e.id}` }, e.category ? e.category.nameZh : `事件 ${e.id}`),
      h("span", { class: `sc-status s-${e.status.toLowerCase()}` }, STATUS_ZH[e.status] || e.status),
      e.grid ? h("span", { class: "sc-feed-grid" }, e.grid.name) : null);
    for (const old of feed.querySelectorAll(`li[data-event="${CSS.escape(e.id)}"]`)) old.remove();
    feed.prepend(item);
    while (feed.children.length > FEED_SIZE) feed.lastChild.remove();
    feedBox.classList.add("has-items");
    scheduleCounters();
  }

  function follow(area) {
    if (liveArea === area.code && stopLive) return;
    if (stopLive) stopLive();
    liveArea = area.code;
    feed.replaceChildren();
    feedBox.classList.remove("has-items");
    stopLive = subscribe(LIVE, { r: area.code }, onEvent, (error) => {
      showError(error);
      stopLive = null; // a later load subscribes again
    });
  }

  // after a reconnect the changes missed meanwhile are not replayed: read the counters again
  let wasLive = document.body.dataset.live === "on";
  let dropped = false;
  new MutationObserver(() => {
    const live = document.body.dataset.live === "on";
    if (wasLive && !live) dropped = true;
    if (live && dropped) {
      dropped = false;
      scheduleCounters();
    }
    wasLive = live;
  }).observe(document.body, { attributes: true, attributeFilter: ["data-live"] });

  // --- loading ----------------------------------------------------------------------------------
  let loadSeq = 0;

  async function load(code, { refreshing = false } = {}) {
    const seq = ++loadSeq;
    let answered = false;
    state.requested = code;
    root.setAttribute("aria-busy", "true");
    try {
      // what does not wait for the dashboard: the area's place, and the counters when the
      // period's instants are known (a drill keeps the period)
      const period = `${state.from}/${state.to}`;
      const early = code ? place(code) : null;
      const earlyCounters = code && state.start && state.period === period ? fetchCounters(code) : null;
      early?.catch(() => {}); // (awaited below, once the dashboard answered)
      earlyCounters?.catch(() => {});
      const data = await gql(DASHBOARD, { r: code, from: state.from, to: state.to });
      if (seq !== loadSeq) return;
      const d = data.dashboard;
      answered = true;
      state.shown = { from: d.from, to: d.to, preset: state.preset };
      const moved = !state.area || state.area.code !== d.area.code;
      Object.assign(state, { area: d.area, from: d.from, to: d.to, start: d.start, end: d.end, today: data.clock.to });
      state.period = `${d.from}/${d.to}`;
      Object.assign(root.dataset, { area: d.area.code, level: d.area.level, from: d.from, to: d.to, start: d.start, end: d.end });
      showPeriod();
      if (panels) panels.dispose();
      panels = renderPanels([left, right], d, { memory, onDrill: drill });
      updated.textContent = `更新于 ${clock()}`;
      const sameCounters = earlyCounters && code === d.area.code;
      const [where, count] = await Promise.all([
        early || place(d.area.code),
        sameCounters ? earlyCounters : fetchCounters(d.area.code),
      ]);
      if (seq !== loadSeq) return;
      showCounters(count);
      showCrumbs(where.trail);
      follow(d.area);
      await mapReady;
      if (refreshing && !moved) map.reload();
      await map.show(d.area, where.geometry, { from: d.from, to: d.to });
    } catch (error) {
      if (seq !== loadSeq) return;
      showError(error);
      // the dashboard asked could not be shown: the screen stays on the area and period it
      // shows (the hash and the period picker say so again)
      if (!answered && state.area) {
        Object.assign(state, state.shown, { requested: state.area.code });
        history.replaceState(null, "", `#/screen/${state.area.code}`);
        showPeriod();
      }
    } finally {
      if (seq === loadSeq) root.removeAttribute("aria-busy");
    }
  }

  function refresh() {
    state.stale = false;
    return load(state.requested, { refreshing: true });
  }

  // the whole screen every five minutes (later, when the screen is not shown meanwhile)
  setInterval(() => {
    if (container.hidden || document.hidden) state.stale = true;
    else refresh();
  }, REFRESH_MS);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && !container.hidden && state.stale) refresh();
  });

  carouselBox.addEventListener("change", () => {
    clearInterval(carousel);
    carousel = carouselBox.checked ? setInterval(() => panels && panels.next(), CAROUSEL_MS) : null;
  });

  return {
    async route(_name, arg) {
      const code = arg || null;
      if (map) map.resize();
      if (panels) panels.resize();
      if (state.area && code === state.requested) {
        if (state.stale) await refresh();
        return;
      }
      if (code && state.area && code === state.area.code) {
        state.requested = code;
        return;
      }
      await load(code);
    },
  };
}
