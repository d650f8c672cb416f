// The big screen's panels: every panel the dashboard answers (plugins add theirs; no key
// is hard-coded), each as ECharts charts — figures sharing a `chart` key drawn together,
// the panel's single numbers as big figures, a figure's breakdown one level down (click a
// bar to drill into that area) — and its numbers as a real HTML table ("数据表").
import * as echarts from "/app/lib/echarts/dist/echarts.esm.min.mjs";
import { h } from "/app/src/api.js";

export { echarts };

// Chinese names of the chart groups the built-in plugins give; any other group is named
// after its figures (a plugin's new chart still gets a tab).
const CHART_ZH = {
  age_pyramid: "年龄结构", residence: "户籍构成", gender: "性别", special_groups: "特殊人群",
  care_groups: "关爱人群", places: "房屋场所", thing_kinds: "部件类别", thing_states: "部件状态",
  organizations: "单位组织", grid_kinds: "网格类型", events: "事件办理", rates: "结案率",
  fieldwork: "走访巡查", kinds: "组织类型", stages: "党员构成", ages: "年龄分布",
  education: "学历", meetings: "三会一课", dues: "党费",
};
// Groups that split one whole into parts: drawn as a ring; every other group as bars.
const PIE_CHARTS = new Set([
  "residence", "gender", "places", "thing_kinds", "thing_states", "organizations",
  "grid_kinds", "kinds", "stages", "ages", "education",
]);
const LEVEL_ZH = { DEPLOYMENT: "全域", PROVINCE: "省", CITY: "市", DISTRICT: "区", TOWNSHIP: "镇（街道）", COMMUNITY: "村（社区）", GRID: "网格" };
const CHILD_ZH = { DEPLOYMENT: "县区分布", PROVINCE: "县区分布", CITY: "县区分布", DISTRICT: "镇街分布", TOWNSHIP: "村社分布", COMMUNITY: "网格分布" };

export const PALETTE = [
  "#34c3ff", "#3ddc97", "#ffb020", "#ff6b8b", "#a78bfa", "#22d3ee", "#facc15", "#60a5fa",
  "#fb923c", "#4ade80", "#f472b6", "#94a3b8",
];
const TEXT = "#dbe9ff";
const MUTED = "#8fb1d9";
const LINE = "#1d4a7a";

// --- numbers ----------------------------------------------------------------------------
const integer = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 2 });

// A figure's value as people read it: "—" where nothing is measured or it is withheld.
export function formatValue(value, unit = "") {
  if (value === null || value === undefined) return "—";
  const number = Number.isInteger(value) ? integer.format(value) : decimal.format(value);
  if (unit === "%") return `${number}%`;
  if (unit === "/5") return `${number}/5`;
  return unit ? `${number} ${unit}` : number;
}

// The value exactly as the API gave it, for data-value (empty for null).
export function rawValue(value) {
  return value === null || value === undefined ? "" : String(value);
}

// --- chart options ----------------------------------------------------------------------
function base(extra = {}) {
  return {
    backgroundColor: "transparent",
    color: PALETTE,
    textStyle: { color: TEXT, fontFamily: "inherit" },
    animationDuration: 400,
    tooltip: {
      trigger: "item", confine: true, backgroundColor: "rgba(7,23,43,.95)", borderColor: LINE,
      textStyle: { color: TEXT, fontSize: 12 },
    },
    ...extra,
  };
}

function valueAxis(unit, extra = {}) {
  return {
    type: "value", max: unit === "%" ? 100 : null, minInterval: unit === "" ? 1 : null,
    axisLabel: { color: MUTED, fontSize: 10, formatter: (v) => (unit === "%" ? `${v}%` : integer.format(v)) },
    splitLine: { lineStyle: { color: LINE, type: "dashed", opacity: 0.6 } },
    ...extra,
  };
}

function categoryAxis(names, extra = {}) {
  return {
    type: "category", data: names,
    axisLine: { lineStyle: { color: LINE } }, axisTick: { show: false },
    axisLabel: { color: TEXT, fontSize: 11 }, ...extra,
  };
}

function shortLabel(text, max = 6) {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// Figures keyed `<prefix>:<side>:<band>` with two sides (the age pyramid) are a pyramid.
function pyramidSides(figures) {
  const parts = figures.map((f) => f.key.split(":"));
  if (figures.length < 4 || parts.some((p) => p.length !== 3)) return null;
  const sides = [...new Set(parts.map((p) => p[1]))];
  return sides.length === 2 ? sides : null;
}

function pyramidOption(figures, sides) {
  const bands = [...new Set(figures.map((f) => f.key.split(":")[2]))];
  const value = (side, band) => {
    const f = figures.find((x) => x.key.split(":")[1] === side && x.key.split(":")[2] === band);
    return f ? f.value : null;
  };
  const sideName = (side) => {
    const f = figures.find((x) => x.key.split(":")[1] === side);
    return (f && f.label.split(/\s+/)[0]) || side;
  };
  const names = sides.map(sideName);
  return base({
    legend: { data: names, top: 0, right: 8, textStyle: { color: MUTED, fontSize: 11 }, itemWidth: 10, itemHeight: 8 },
    tooltip: {
      ...base().tooltip, trigger: "axis", axisPointer: { type: "shadow" },
      formatter: (items) => [items[0].axisValue, ...items.map((i) => `${i.marker}${i.seriesName} ${formatValue(i.value === null ? null : Math.abs(i.value))}`)].join("<br>"),
    },
    grid: { left: 8, right: 12, top: 24, bottom: 4, containLabel: true },
    xAxis: valueAxis("", { axisLabel: { color: MUTED, fontSize: 10, formatter: (v) => integer.format(Math.abs(v)) } }),
    yAxis: categoryAxis(bands, { axisLabel: { color: MUTED, fontSize: 9 } }),
    series: sides.map((side, i) => ({
      name: names[i], type: "bar", stack: "pyramid", barCategoryGap: "15%",
      color: i === 0 ? "#34c3ff" : "#ff6b8b",
      data: bands.map((band) => {
        const v = value(side, band);
        return v === null ? null : (i === 0 ? -v : v);
      }),
    })),
  });
}

function pieOption(figures) {
  const unit = figures[0].unit;
  const known = figures.filter((f) => f.value !== null);
  const total = known.reduce((sum, f) => sum + f.value, 0);
  return base({
    title: {
      text: known.length ? formatValue(total, unit) : "—", subtext: "合计", left: "29%", top: "40%", textAlign: "center",
      textStyle: { color: "#fff", fontSize: 18, fontWeight: 600 }, subtextStyle: { color: MUTED, fontSize: 11 }, itemGap: 2,
    },
    tooltip: { ...base().tooltip, formatter: (p) => `${p.marker}${p.name}：${formatValue(p.value, unit)}（${p.percent}%）` },
    legend: {
      type: "scroll", orient: "vertical", right: 4, top: "middle", itemWidth: 10, itemHeight: 8,
      textStyle: { color: TEXT, fontSize: 11 },
      formatter: (name) => {
        const f = figures.find((x) => x.label === name);
        return `${shortLabel(name, 7)}  ${f ? formatValue(f.value, unit) : ""}`;
      },
    },
    series: [{
      type: "pie", radius: ["50%", "74%"], center: ["30%", "52%"], avoidLabelOverlap: true,
      label: { show: false }, itemStyle: { borderColor: "#07172b", borderWidth: 2 },
      // (all zero: no ring of equal slices)
      data: total ? known.map((f) => ({ name: f.label, value: f.value })) : [],
    }],
  });
}

function barOption(figures) {
  const unit = figures.every((f) => f.unit === figures[0].unit) ? figures[0].unit : "";
  const list = [...figures].reverse(); // first figure at the top
  return base({
    tooltip: { ...base().tooltip, formatter: (p) => `${p.name}：${formatValue(p.value, list[p.dataIndex].unit)}` },
    grid: { left: 8, right: 56, top: 8, bottom: 4, containLabel: true },
    xAxis: valueAxis(unit),
    yAxis: categoryAxis(list.map((f) => f.label), { axisLabel: { color: TEXT, fontSize: 11, formatter: (v) => shortLabel(v, 8) } }),
    series: [{
      type: "bar", barMaxWidth: 14, colorBy: "data",
      label: { show: true, position: "right", color: TEXT, fontSize: 11, formatter: (p) => formatValue(list[p.dataIndex].value, list[p.dataIndex].unit) },
      itemStyle: { borderRadius: [0, 3, 3, 0] },
      data: list.map((f) => f.value),
    }],
  });
}

// a grid is named after its community: "书宁社区第1网格" reads "第1网格" under 书宁社区
function areaLabel(name, parent) {
  return name.startsWith(parent.name) && name.length > parent.name.length ? name.slice(parent.name.length) : name;
}

function breakdownOption(figure, area) {
  const rows = [...figure.breakdown].sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
  const label = (name) => areaLabel(name, area);
  const many = rows.length > 8;
  return base({
    tooltip: {
      ...base().tooltip, trigger: "axis", axisPointer: { type: "shadow" },
      formatter: (items) => `${rows[items[0].dataIndex].area.name}<br>${figure.label}：${formatValue(rows[items[0].dataIndex].value, figure.unit)}<br><span style="color:${MUTED}">点击查看该区域</span>`,
    },
    grid: { left: 8, right: 8, top: 14, bottom: 4, containLabel: true },
    xAxis: categoryAxis(rows.map((r) => label(r.area.name)), {
      axisLabel: { color: TEXT, fontSize: 10, interval: 0, rotate: many ? 40 : 0, formatter: (v) => shortLabel(v, many ? 5 : 6) },
      triggerEvent: true,
    }),
    yAxis: valueAxis(figure.unit),
    series: [{
      type: "bar", barMaxWidth: 22, cursor: "pointer",
      itemStyle: { borderRadius: [3, 3, 0, 0], color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [{ offset: 0, color: "#34c3ff" }, { offset: 1, color: "#1d4a7a" }]) },
      emphasis: { itemStyle: { color: "#ffb020" } },
      data: rows.map((r) => ({ value: r.value, code: r.area.code, name: r.area.name })),
    }],
  });
}

// --- the views of a panel -----------------------------------------------------------------
function groupsOf(panel) {
  const groups = new Map();
  for (const f of panel.figures) {
    if (!f.chart) continue;
    if (!groups.has(f.chart)) groups.set(f.chart, []);
    groups.get(f.chart).push(f);
  }
  return groups;
}

function groupName(key, figures) {
  if (CHART_ZH[key]) return CHART_ZH[key];
  return shortLabel(figures.slice(0, 2).map((f) => f.label).join("/"), 8);
}

function viewsOf(panel, area) {
  const views = [];
  for (const [key, figures] of groupsOf(panel)) {
    const sides = pyramidSides(figures);
    let option;
    if (sides) option = () => pyramidOption(figures, sides);
    else if (PIE_CHARTS.has(key) && figures.every((f) => f.unit === "")) option = () => pieOption(figures);
    else option = () => barOption(figures);
    views.push({ key: `chart:${key}`, title: groupName(key, figures), option });
  }
  const withBreakdown = panel.figures.filter((f) => f.breakdown && f.breakdown.length);
  if (withBreakdown.length) {
    views.push({
      key: "breakdown", title: CHILD_ZH[area.level] || "下级分布", breakdown: withBreakdown,
      option: (figureKey) => breakdownOption(withBreakdown.find((f) => f.key === figureKey) || withBreakdown[0], area),
    });
  }
  if (!views.length) {
    const singles = panel.figures.filter((f) => !f.chart);
    const counts = singles.filter((f) => f.unit === "");
    const shown = (counts.length ? counts : singles).slice(0, 10);
    if (shown.length) views.push({ key: "overview", title: "概览", option: () => barOption(shown) });
  }
  return views;
}

// --- rendering ----------------------------------------------------------------------------
// Renders the panels of one dashboard answer into `columns` (elements that hold panels),
// replacing the previous ones. `memory` keeps each panel's chosen view between renders.
// Returns { panels: [{ key, el, chart }], dispose(), next() } — next() shows each panel's
// next view (the carousel).
export function renderPanels(columns, dashboard, { memory, onDrill }) {
  const rendered = [];
  const observers = [];
  for (const column of columns) column.replaceChildren();
  const per = Math.ceil(dashboard.panels.length / columns.length);
  dashboard.panels.forEach((panel, index) => {
    const column = columns[Math.min(Math.floor(index / per), columns.length - 1)];
    const item = renderPanel(panel, dashboard.area, memory, onDrill);
    column.append(item.el);
    rendered.push(item);
  });
  // charts are drawn once the panels are in the page (they need their size)
  for (const item of rendered) {
    item.draw();
    const observer = new ResizeObserver(() => item.chart && item.chart.resize());
    observer.observe(item.chartEl);
    observers.push(observer);
  }
  return {
    panels: rendered,
    next() {
      for (const item of rendered) item.step(1);
    },
    resize() {
      for (const item of rendered) if (item.chart) item.chart.resize();
    },
    dispose() {
      for (const o of observers) o.disconnect();
      for (const item of rendered) if (item.chart) item.chart.dispose();
    },
  };
}

function renderPanel(panel, area, memory, onDrill) {
  const id = `panel-${panel.key.replace(/[^\w-]/g, "_")}`;
  const views = viewsOf(panel, area);
  const remembered = memory.get(panel.key) || {};
  let current = Math.max(0, views.findIndex((v) => v.key === remembered.view));
  let figureKey = remembered.figure || null;

  // the single numbers, as big figures (the rest are in the charts and the table)
  const singles = panel.figures.filter((f) => !f.chart).slice(0, 4);
  const kpis = h("div", { class: "sc-kpis" }, singles.map((f) =>
    h("div", { class: "sc-kpi", title: f.label },
      h("span", { class: "sc-kpi-label" }, f.label),
      h("strong", { class: f.value === null ? "sc-kpi-value withheld" : "sc-kpi-value" }, formatValue(f.value, f.unit)))));

  const tabs = h("div", { class: "sc-tabs", role: "tablist", "aria-label": `${panel.title}图表` });
  const figureSelect = h("select", { class: "sc-figure", "aria-label": "分布指标", hidden: true });
  const chartEl = h("div", { class: "sc-chart", id: `${id}-chart`, role: "tabpanel", "data-chart": panel.key });
  const areasTable = h("div", { class: "sc-areas" }); // the chosen figure by area, with links down
  const tableWrap = h("div", { class: "sc-table visually-hidden", id: `${id}-table` }, numbersTable(panel, area), areasTable);
  const toggle = h("button", {
    type: "button", class: "sc-table-toggle", "aria-expanded": "false", "aria-controls": `${id}-table`,
    onclick: () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      tableWrap.classList.toggle("visually-hidden", !open);
      tableWrap.classList.toggle("open", open);
    },
  }, "数据表");

  const el = h("section", { class: "sc-panel", "data-panel": panel.key, "aria-labelledby": `${id}-title` },
    h("header", { class: "sc-panel-head" },
      h("h2", { id: `${id}-title` }, panel.title), tabs, figureSelect, toggle),
    singles.length ? kpis : null,
    h("div", { class: "sc-chart-box" }, chartEl, tableWrap));
  if (!views.length) chartEl.append(h("p", { class: "sc-empty" }, "暂无可绘制的数据"));

  const item = { key: panel.key, el, chartEl, chart: null, draw, step };

  views.forEach((view, i) => {
    tabs.append(h("button", {
      type: "button", role: "tab", class: "sc-tab", "data-view": view.key, "aria-controls": chartEl.id,
      onclick: () => show(i),
    }, view.title));
  });
  const breakdown = views.find((v) => v.key === "breakdown");
  if (breakdown) {
    for (const f of breakdown.breakdown) figureSelect.append(h("option", { value: f.key }, f.label));
    if (!figureKey || !breakdown.breakdown.some((f) => f.key === figureKey)) figureKey = breakdown.breakdown[0].key;
    figureSelect.value = figureKey;
    figureSelect.addEventListener("change", () => {
      figureKey = figureSelect.value;
      remember();
      render();
      showAreas();
    });
  }

  function showAreas() {
    const figure = breakdown && (breakdown.breakdown.find((f) => f.key === figureKey) || breakdown.breakdown[0]);
    areasTable.replaceChildren(figure ? areaTable(figure, area) : "");
  }
  showAreas();

  function remember() {
    memory.set(panel.key, { view: views[current] && views[current].key, figure: figureKey });
  }

  function render() {
    if (!views.length) return;
    const view = views[current];
    for (const [i, tab] of [...tabs.children].entries()) tab.setAttribute("aria-selected", String(i === current));
    figureSelect.hidden = view.key !== "breakdown";
    chartEl.dataset.view = view.key;
    item.chart.setOption(view.option(figureKey), { notMerge: true });
  }

  function draw() {
    if (!views.length) return;
    item.chart = echarts.init(chartEl, null, { renderer: "canvas" });
    item.chart.on("click", (params) => {
      if (views[current].key !== "breakdown") return;
      const code = params.data && params.data.code;
      if (code) onDrill(code);
    });
    // a click on an area's name under its bar drills too
    item.chart.on("click", "xAxis.category", (params) => {
      if (views[current].key !== "breakdown") return;
      const figure = breakdown.breakdown.find((f) => f.key === figureKey) || breakdown.breakdown[0];
      const row = figure.breakdown.find((r) => areaLabel(r.area.name, area) === params.value);
      if (row) onDrill(row.area.code);
    });
    render();
  }

  function show(i) {
    current = i;
    remember();
    render();
  }

  function step(delta) {
    if (views.length > 1) show((current + delta + views.length) % views.length);
  }

  return item;
}

function areaTable(figure, area) {
  return h("table", { class: "numbers", "data-breakdown": figure.key },
    h("caption", {}, `${figure.label}（${CHILD_ZH[area.level] || "下级分布"}）`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "区域"), h("th", { scope: "col" }, "数值"))),
    h("tbody", {}, figure.breakdown.map((r) =>
      h("tr", { "data-area": r.area.code },
        h("th", { scope: "row" }, h("a", { href: `#/screen/${r.area.code}` }, r.area.name)),
        h("td", { class: "n", "data-value": rawValue(r.value) }, formatValue(r.value, figure.unit))))));
}

function numbersTable(panel, area) {
  return h("table", { class: "numbers" },
    h("caption", {}, `${panel.title}（${area.name}）`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "指标"), h("th", { scope: "col" }, "数值"), h("th", { scope: "col" }, "单位"))),
    h("tbody", {}, panel.figures.map((f) =>
      h("tr", { "data-figure": f.key },
        h("th", { scope: "row" }, f.label),
        h("td", { class: "n", "data-value": rawValue(f.value), title: f.value === null ? "未测量或依规不予公开" : null }, formatValue(f.value)),
        h("td", {}, f.unit)))));
}

export { LEVEL_ZH };
