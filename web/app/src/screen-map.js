// The big screen's map: MapLibre GL JS on a style of our own (a background colour, no
// basemap, no glyphs) with our vector tiles — regions, grids, events and heat cells — all
// asked with the bearer token (transformRequest) and filtered to the current area with
// the tiles' `region` parameter. Clicking a township / community / grid drills into it.
import * as maplibregl from "/app/lib/maplibre-gl/dist/maplibre-gl.mjs";
import { authHeaders, h, showError } from "/app/src/api.js";

const ORIGIN = location.origin;
const EVENT_COLOURS = {
  assigned: "#ffb020", accepted: "#34c3ff", dispatched: "#a78bfa", resolved: "#22d3ee",
  verified: "#3ddc97", closed: "#64748b",
};
const STATUS_ZH = {
  assigned: "待受理", accepted: "处置中", dispatched: "已派遣部门", resolved: "已办结待核查",
  verified: "已核查", closed: "已结案",
};
// what a click on the map drills into, by the level of the area shown
const CHILD_LEVEL = { DISTRICT: "township", TOWNSHIP: "community", COMMUNITY: "grid" };

// Tiles of `layer` with these parameters (those null are left out), on our own origin.
function tileUrl(layer, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") query.set(k, v);
  const qs = query.toString();
  return `${ORIGIN}/tiles/${layer}/{z}/{x}/{y}.mvt${qs ? `?${qs}` : ""}`;
}

// [west, south, east, north] of a GeoJSON geometry.
export function boundsOf(geometry) {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const walk = (c) => {
    if (typeof c[0] === "number") {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else c.forEach(walk);
  };
  if (geometry && geometry.coordinates) walk(geometry.coordinates);
  return Number.isFinite(w) ? [w, s, e, n] : null;
}

function style() {
  return {
    version: 8,
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": "#04101f" } }],
  };
}

// Creates the map in `el`; `layers` is the /tiles.json layer list (heat only when there).
// Returns the controller: show(area, geometry, period), setHeat(on), setEvents(status), map.
export function createMap(el, { layers, onDrill, categories = {} }) {
  const has = new Set(layers.map((l) => l.id));
  const map = new maplibregl.Map({
    container: el,
    style: style(),
    center: [104.39, 28.79],
    zoom: 9,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    fadeDuration: 0,
    transformRequest: (url) => (url.startsWith(ORIGIN) ? { url, headers: authHeaders() } : { url }),
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
  window.gridgovMap = map;

  let area = null;
  let period = { from: null, to: null };
  let heatOn = false;
  let eventStatus = "open";
  let hovered = null;
  const asked = {}; // layer -> the tile URL its source has
  const reported = new Set(); // tile errors already shown for this area
  const loaded = new Promise((resolve) => map.once("load", resolve));

  map.on("error", (event) => {
    const error = event.error || event;
    const status = error.status ? `（HTTP ${error.status}）` : "";
    const text = `地图数据加载失败${status}：${event.sourceId || ""} ${error.message || ""}`.trim();
    if (reported.has(text)) return;
    reported.add(text);
    showError(new Error(text));
  });

  function params(layer) {
    const region = area ? area.prefix : null;
    // open events: every one open now (what needs handling); all: those of the period
    if (layer === "events") {
      return eventStatus === "open" ? { region, status: "open" } : { region, status: eventStatus, from: period.from, to: period.to };
    }
    if (layer === "heat") return { region, from: period.from, to: period.to };
    return { region };
  }

  function vectorSource(layer) {
    asked[layer] = tileUrl(layer, params(layer));
    map.addSource(layer, { type: "vector", tiles: [asked[layer]], minzoom: 0, maxzoom: 16 });
  }

  function addLayers() {
    vectorSource("regions");
    vectorSource("grids");
    if (has.has("heat")) vectorSource("heat");
    vectorSource("events");
    map.addSource("area", { type: "geojson", data: { type: "FeatureCollection", features: [] } });

    map.addLayer({
      id: "grid-fill", type: "fill", source: "grids", "source-layer": "grids",
      paint: {
        // a tint per community (its code's last digits), special grids apart
        "fill-color": ["case", ["==", ["get", "kind"], "special"], "#7c4dbe",
          ["match", ["%", ["to-number", ["slice", ["get", "community_code"], 9, 12], 0], 6],
            0, "#1f6fb2", 1, "#17807a", 2, "#2a5fa8", 3, "#1d7f9c", 4, "#26688f", 5, "#1b8a6a", "#1f6fb2"]],
        "fill-opacity": 0.38,
      },
    });
    map.addLayer({
      id: "grid-line", type: "line", source: "grids", "source-layer": "grids",
      paint: { "line-color": "#3b82c4", "line-width": ["interpolate", ["linear"], ["zoom"], 9, 0.3, 14, 1.2], "line-opacity": 0.8 },
    });
    if (has.has("heat")) {
      map.addLayer({
        id: "heat-fill", type: "fill", source: "heat", "source-layer": "heat",
        layout: { visibility: heatOn ? "visible" : "none" },
        paint: {
          "fill-color": ["interpolate", ["linear"], ["log10", ["max", ["get", "count"], 1]],
            0, "#1e3a8a", 0.7, "#0891b2", 1.3, "#facc15", 2, "#f97316", 2.7, "#dc2626"],
          "fill-opacity": 0.45,
          "fill-outline-color": "rgba(255,255,255,0.15)",
        },
      });
    }
    // hit areas of the regions one level down (transparent), and the outlines
    map.addLayer({
      id: "region-fill", type: "fill", source: "regions", "source-layer": "regions",
      filter: ["==", ["get", "level"], "township"],
      paint: { "fill-color": "#34c3ff", "fill-opacity": 0 },
    });
    map.addLayer({
      id: "region-hover", type: "fill", source: "regions", "source-layer": "regions",
      filter: ["==", ["get", "code"], ""],
      paint: { "fill-color": "#34c3ff", "fill-opacity": 0.18 },
    });
    map.addLayer({
      id: "grid-hover", type: "fill", source: "grids", "source-layer": "grids",
      filter: ["==", ["get", "code"], ""],
      paint: { "fill-color": "#34c3ff", "fill-opacity": 0.3 },
    });
    map.addLayer({
      id: "community-line", type: "line", source: "regions", "source-layer": "regions",
      filter: ["==", ["get", "level"], "community"],
      paint: { "line-color": "#7dd3fc", "line-width": 0.8, "line-opacity": 0.7 },
    });
    map.addLayer({
      id: "township-line", type: "line", source: "regions", "source-layer": "regions",
      filter: ["==", ["get", "level"], "township"],
      paint: { "line-color": "#38bdf8", "line-width": 1.8 },
    });
    map.addLayer({
      id: "area-glow", type: "line", source: "area",
      paint: { "line-color": "#34c3ff", "line-width": 10, "line-blur": 8, "line-opacity": 0.55 },
    });
    map.addLayer({
      id: "area-line", type: "line", source: "area",
      paint: { "line-color": "#bfe9ff", "line-width": 2 },
    });
    map.addLayer({
      id: "event-points", type: "circle", source: "events", "source-layer": "events",
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 9, 2.5, 14, 6],
        "circle-color": ["case", ["==", ["get", "overdue"], true], "#ff3b3b",
          ["match", ["get", "status"], ...Object.entries(EVENT_COLOURS).flat(), "#34c3ff"]],
        "circle-stroke-color": "#04101f",
        "circle-stroke-width": 0.8,
        "circle-opacity": ["case", ["==", ["get", "status"], "closed"], 0.5, 0.95],
      },
    });
  }

  // the layer a click drills through at the current level (none under a grid)
  function hitLayer() {
    const child = area && CHILD_LEVEL[area.level];
    if (!child) return null;
    return child === "grid" ? "grid-fill" : "region-fill";
  }

  function featureAt(point) {
    const layer = hitLayer();
    if (!layer) return null;
    const [feature] = map.queryRenderedFeatures(point, { layers: [layer] });
    return feature || null;
  }

  function setHover(feature) {
    const code = feature ? feature.properties.code : null;
    if (code === hovered) return;
    hovered = code;
    const layer = feature && hitLayer();
    map.setFilter("region-hover", ["==", ["get", "code"], layer === "region-fill" ? code : ""]);
    map.setFilter("grid-hover", ["==", ["get", "code"], layer === "grid-fill" ? code : ""]);
  }

  const tip = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: "sc-tip", offset: 12 });

  function eventPopup(feature, lngLat) {
    const p = feature.properties;
    const body = h("div", { class: "sc-event-pop" },
      h("strong", {}, categories[p.category_code] || p.category_code || "事件"),
      h("div", {}, `状态：${STATUS_ZH[p.status] || p.status}${p.overdue ? "（已超期）" : ""}`),
      p.supervision && p.supervision !== "normal" ? h("div", {}, `督办：${p.supervision === "red" ? "红牌" : "黄牌"}`) : null,
      h("div", {}, `采集：${(p.collected_at || "").replace("T", " ").replace("Z", " UTC")}`),
      h("a", { href: `#/event/${feature.id}` }, "在事件台打开 ›"));
    new maplibregl.Popup({ className: "sc-pop", offset: 8 }).setLngLat(lngLat).setDOMContent(body).addTo(map);
  }

  map.on("mousemove", (e) => {
    if (!area) return;
    const [point] = map.queryRenderedFeatures(e.point, { layers: ["event-points"] });
    const feature = point ? null : featureAt(e.point);
    setHover(feature);
    map.getCanvas().style.cursor = point || feature ? "pointer" : "";
    if (feature) tip.setLngLat(e.lngLat).setText(`${feature.properties.name || feature.properties.code} · 点击进入`).addTo(map);
    else tip.remove();
  });
  map.on("mouseout", () => {
    setHover(null);
    tip.remove();
  });
  map.on("click", (e) => {
    const [point] = map.queryRenderedFeatures(e.point, { layers: ["event-points"] });
    if (point) {
      eventPopup(point, e.lngLat);
      return;
    }
    const feature = featureAt(e.point);
    if (feature) {
      tip.remove();
      onDrill(feature.properties.code);
    }
  });

  // points each source at the tiles of the area and period (all of them again if `all`)
  function refreshSources(all = false) {
    for (const layer of ["regions", "grids", "events", "heat"]) {
      const source = map.getSource(layer);
      const url = tileUrl(layer, params(layer));
      if (source && (all || asked[layer] !== url)) source.setTiles([url]);
      asked[layer] = url;
    }
  }

  // the next "idle": everything asked is loaded and drawn. Tiles reloaded unchanged (the
  // five-minute refresh) end without a new frame, and idle comes only at the end of a
  // frame: ask for frames until it comes.
  function settled() {
    return new Promise((resolve) => {
      const timer = setInterval(() => map.triggerRepaint(), 250);
      map.once("idle", () => {
        clearInterval(timer);
        resolve();
      });
    });
  }

  const controller = {
    map,
    // Shows `nextArea` (dashboard's area: code, prefix, level) with its boundary, over
    // `nextPeriod` ({from, to} local days); fits the view to it.
    async show(nextArea, geometry, nextPeriod) {
      await loaded;
      const moved = !area || area.code !== nextArea.code;
      area = nextArea;
      period = nextPeriod;
      if (!map.getSource("regions")) addLayers();
      if (moved) reported.clear();
      el.dataset.ready = "false";
      el.dataset.area = area.code;
      const child = CHILD_LEVEL[area.level];
      map.setFilter("region-fill", ["==", ["get", "level"], child && child !== "grid" ? child : "__none__"]);
      // a township's own outline is the area line; below the district the communities show
      map.setFilter("community-line", ["==", ["get", "level"], area.level === "DISTRICT" ? "__none__" : "community"]);
      setHover(null);
      refreshSources();
      map.getSource("area").setData(geometry ? { type: "Feature", geometry, properties: {} } : { type: "FeatureCollection", features: [] });
      const bounds = boundsOf(geometry);
      if (bounds && moved) {
        map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]], { padding: { top: 56, bottom: 72, left: 40, right: 40 }, duration: 0 });
      }
      await settled();
      if (area.code === nextArea.code) el.dataset.ready = "true";
    },
    // reload every tile (the five-minute refresh; the browser revalidates with ETags)
    reload() {
      if (area) refreshSources(true);
    },
    setHeat(on) {
      heatOn = on;
      if (map.getLayer("heat-fill")) map.setLayoutProperty("heat-fill", "visibility", on ? "visible" : "none");
    },
    setVisible(layerIds, on) {
      for (const id of layerIds) if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
    },
    setEvents(status) {
      eventStatus = status;
      const source = map.getSource("events");
      if (source) refreshSources();
    },
    hasHeat: has.has("heat"),
    resize() {
      map.resize();
    },
  };
  return controller;
}

export { EVENT_COLOURS, STATUS_ZH };
