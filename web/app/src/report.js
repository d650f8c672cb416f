// The citizen's page (/report, mobile first): sign in, report a problem with category,
// text, photos and a position (the browser's, or a pin on the map), follow my reports'
// public trace live, and rate the handling once the event is closed.
import {
  ACTION_ZH, STATUS_ZH, fill, formatTime, gql, h, loginForm, logout, showError, subscribe,
} from "/app/src/api.js";
import { miniMap } from "/app/src/minimap.js";

const REPORT = `mutation($input: ReportEventInput!) { reportEvent(input: $input) {
  created event { id title status grid { code name } } possibleDuplicates { id title } } }`;
const LOCATE = `query($lon: Float!, $lat: Float!) { locate(lon: $lon, lat: $lat) {
  regionCode grid { code name } community { name } township { name } } }`;
const MINE = `{ myReports(first: 50) { edges { node { id title status reportedAt rating
  category { nameZh } } } } }`;
const ONE = `query($id: ID!) { event(id: $id) { id title description status reportedAt
  closedAt rating ratingComment version actions category { nameZh } grid { name }
  attachments { kind url thumbnailUrl }
  trace { step action toStatus actor actorRole at note attachments { kind url thumbnailUrl } } } }`;
const UPDATED = `subscription($id: ID!) { eventUpdated(id: $id) { id version status } }`;
const RATE = `mutation($id: ID!, $s: Int!, $c: String) { rateEvent(id: $id, score: $s, comment: $c) { id } }`;

let position = null; // [lon, lat]
let picker = null;
let stopUpdates = null;

function tab() {
  const name = (location.hash.replace(/^#\/?/, "") || "new").split("/")[0];
  for (const el of document.querySelectorAll("main > .tab")) el.hidden = el.id !== name;
  for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("active", a.dataset.tab === name);
  if (name === "mine") loadMine();
  if (name === "new" && picker) picker.map.resize();
}

async function setPosition(lon, lat) {
  position = [lon, lat];
  const text = document.getElementById("where-text");
  text.textContent = `${lon.toFixed(5)}, ${lat.toFixed(5)}`;
  try {
    const { locate } = await gql(LOCATE, { lon, lat });
    const place = [locate.township && locate.township.name, locate.community && locate.community.name, locate.grid && locate.grid.name].filter(Boolean).join(" ");
    text.textContent = place ? `${place}` : "不在任何网格内，将由区指挥中心受理";
    text.dataset.grid = locate.grid ? locate.grid.code : "";
  } catch (error) {
    showError(error);
  }
}

function locateMe() {
  if (!navigator.geolocation) {
    showError(new Error("此浏览器不能定位，请在地图上点选位置"));
    return;
  }
  navigator.geolocation.getCurrentPosition(
    (p) => {
      picker.moveTo(p.coords.longitude, p.coords.latitude);
      setPosition(p.coords.longitude, p.coords.latitude);
    },
    (err) => showError(new Error(`无法获取位置（${err.message}），请在地图上点选位置`)),
    { enableHighAccuracy: true, timeout: 15000 },
  );
}

function previews(input) {
  const box = document.getElementById("previews");
  box.replaceChildren(...[...input.files].map((file) => file.type.startsWith("video/")
    ? h("span", { class: "video-file" }, `🎬 ${file.name}`)
    : h("img", { src: URL.createObjectURL(file), alt: file.name, width: 72, height: 72 })));
}

async function submitReport(event) {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  const files = [...form.elements.photos.files];
  const button = document.getElementById("submit-report");
  if (!position && !data.get("address")) {
    showError(new Error("请提供位置：使用我的位置、在地图上点选，或填写地址"));
    return;
  }
  const input = {
    categoryCode: data.get("category"),
    title: data.get("title"),
    description: data.get("description"),
    idempotencyKey: form.dataset.key || (form.dataset.key = crypto.randomUUID()),
    location: position ? { lon: position[0], lat: position[1] } : null,
    address: data.get("address") || null,
    anonymous: data.get("anonymous") === "on",
    attachments: files.map(() => null),
  };
  button.disabled = true;
  try {
    const result = await gql(REPORT, { input }, files.length ? { "variables.input.attachments": files } : null);
    const { event: sent, possibleDuplicates } = result.reportEvent;
    delete form.dataset.key; // the next report is a new one
    form.reset();
    document.getElementById("previews").replaceChildren();
    const box = document.getElementById("sent");
    box.hidden = false;
    fill(box,
      h("p", { role: "status" }, `已提交：${sent.title}（${STATUS_ZH[sent.status]}${sent.grid ? `，${sent.grid.name}` : ""}）`),
      possibleDuplicates.length ? h("p", { class: "hint" }, `附近已有类似反映 ${possibleDuplicates.length} 件`) : null,
      h("a", { href: `#/mine/${sent.id}` }, "查看进度"),
    );
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

async function loadMine() {
  const list = document.getElementById("my-reports");
  const [, id] = location.hash.replace(/^#\/?/, "").split("/");
  try {
    const { myReports } = await gql(MINE);
    list.replaceChildren(...myReports.edges.map(({ node }) => h(
      "li", { dataset: { eventId: node.id } },
      h("a", { href: `#/mine/${node.id}` }, h("strong", {}, node.title),
        h("small", {}, `${node.category.nameZh} · ${formatTime(node.reportedAt)}`)),
      h("span", { class: "status" }, STATUS_ZH[node.status] || node.status),
    )));
    if (!myReports.edges.length) list.append(h("li", { class: "empty" }, "还没有反映过问题"));
  } catch (error) {
    showError(error);
  }
  if (id) openReport(id);
}

function files(list) {
  return h("div", { class: "media" }, ...list.map((f) => f.kind === "VIDEO"
    ? h("video", { src: f.url, controls: true, preload: "metadata", width: 200 })
    : h("a", { href: f.url, target: "_blank", rel: "noopener" }, h("img", { src: f.thumbnailUrl || f.url, alt: "照片", width: 96 }))));
}

let following = null; // the report whose updates this page listens to
let rendering = 0; // the latest render asked for wins (answers may come back out of order)

async function openReport(id) {
  const box = document.getElementById("report-detail");
  const mine = ++rendering;
  if (following !== id) {
    if (stopUpdates) stopUpdates();
    following = id;
    // each new step shows as it happens (one subscription while the report is open)
    stopUpdates = subscribe(UPDATED, { id }, (data) => {
      const row = document.querySelector(`#my-reports li[data-event-id="${id}"] .status`);
      if (row) row.textContent = STATUS_ZH[data.eventUpdated.status] || data.eventUpdated.status;
      if (following === id) openReport(id);
    }, showError);
  }
  try {
    const { event: e } = await gql(ONE, { id });
    if (mine !== rendering) return;
    box.hidden = false;
    const rate = e.actions.includes("RATE") ? rateForm(e) : null;
    fill(box,
      h("h2", {}, e.title),
      h("p", {}, h("span", { class: "status" }, STATUS_ZH[e.status]), ` ${e.category.nameZh}${e.grid ? ` · ${e.grid.name}` : ""}`),
      h("p", {}, e.description),
      e.attachments.length ? files(e.attachments) : null,
      h("h3", {}, "办理进度"),
      h("ol", { class: "trace" }, ...e.trace.map((s) => h(
        "li", { dataset: { step: s.step, action: s.action } },
        h("time", {}, formatTime(s.at)), " ",
        h("strong", {}, ACTION_ZH[s.action] || s.action), ` ${s.actor}`,
        s.note ? h("p", {}, s.note) : null,
        s.action !== "REPORT" && s.attachments.length ? files(s.attachments) : null,
      ))),
      e.rating ? h("p", { class: "rated" }, `我的评价：${"★".repeat(e.rating)}${e.ratingComment ? ` ${e.ratingComment}` : ""}`) : null,
      rate,
    );
  } catch (error) {
    showError(error);
  }
}

function rateForm(e) {
  const score = h("select", { name: "score", "aria-label": "评分" }, ...[5, 4, 3, 2, 1].map((n) => h("option", { value: n }, `${"★".repeat(n)} ${n} 分`)));
  const comment = h("input", { name: "comment", maxlength: 1000, placeholder: "说说处理得怎么样（可选）" });
  const form = h("form", { class: "rate" }, h("h3", {}, "评价办理结果"), score, comment, h("button", { type: "submit" }, "提交评价"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await gql(RATE, { id: e.id, s: Number(score.value), c: comment.value || null });
      await openReport(e.id);
    } catch (error) {
      showError(error);
    }
  });
  return form;
}

async function signedIn() {
  document.getElementById("login").hidden = true;
  document.getElementById("tabs").hidden = false;
  document.getElementById("logout").hidden = false;
  try {
    const { eventCategories } = await gql("{ eventCategories { code nameZh } }");
    const select = document.querySelector("#report-form select[name=category]");
    for (const c of eventCategories) select.append(h("option", { value: c.code }, c.nameZh));
  } catch (error) {
    showError(error);
  }
  window.addEventListener("hashchange", tab);
  tab();
  picker = miniMap(document.getElementById("pick-map"), null, (lon, lat) => setPosition(lon, lat));
  window.gridgovPicker = picker;
}

function start() {
  document.getElementById("logout").addEventListener("click", () => logout());
  document.getElementById("locate-me").addEventListener("click", locateMe);
  document.getElementById("report-form").addEventListener("submit", submitReport);
  document.querySelector("#report-form input[name=photos]").addEventListener("change", (e) => previews(e.target));
  loginForm(document.getElementById("login"), signedIn);
}

start();
