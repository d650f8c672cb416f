// The event desk (#/desk, #/event/<id>): my tasks (new ones arrive live), the region's
// events with filters, and an event's page: facts, photos and videos, map, trace, and the
// steps the signed-in account may take (the API's Event.actions).
import {
  ACTION_ZH, STATUS_ZH, fill, formatTime, gql, h, showError, subscribe,
} from "/app/src/api.js";
import { miniMap } from "/app/src/minimap.js";

const ITEM = `id title status level overdue reportedAt deadlineAt supervision
  category { code nameZh } grid { code name } attachments { kind thumbnailUrl }`;
const TASKS = `query($after: String) { myTasks(first: 30, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { ${ITEM} } } } }`;
const EVENTS = `query($status: EventStatus, $category: String, $overdue: Boolean, $after: String) {
  events(status: $status, categoryCode: $category, overdue: $overdue, first: 30, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${ITEM} } } } }`;
const EVENT = `query($id: ID!) { event(id: $id) {
  id title description address status level handlingRegion deadlineAt overdue reportedAt
  version supervision anonymous reporter regionCode location channel rating ratingComment
  category { code nameZh } assignee { kind code name level } grid { code name }
  attachments { key kind mime url thumbnailUrl originalFilename }
  trace { step action fromStatus toStatus actor actorRole at note detail
    attachments { kind url thumbnailUrl } }
  actions } }`;
const NEW_TASKS = `subscription { myNewTasks { ${ITEM} } }`;
const UPDATED = `subscription($id: ID!) { eventUpdated(id: $id) { id version status } }`;
const CATEGORIES = `{ eventCategories { code nameZh } }`;
const DEPARTMENTS = `query($region: String) { departments(regionCode: $region, first: 100) {
  edges { node { code name type } } } }`;

const LEVEL_ZH = { GRID: "网格", COMMUNITY: "社区（村）", TOWNSHIP: "镇（街道）", DISTRICT: "区" };
const CARD_ZH = { NORMAL: "普通督办", YELLOW: "黄牌督办", RED: "红牌督办" };

function badge(status) {
  return h("span", { class: `status s-${status.toLowerCase()}` }, STATUS_ZH[status] || status);
}

function item(node, fresh = false) {
  const thumb = node.attachments.find((a) => a.thumbnailUrl);
  return h(
    "li",
    { class: `event-item${fresh ? " new" : ""}`, dataset: { eventId: node.id } },
    thumb ? h("img", { src: thumb.thumbnailUrl, alt: "", loading: "lazy", width: 48, height: 48 }) : h("span", { class: "no-thumb" }),
    h(
      "a",
      { href: `#/event/${node.id}` },
      h("strong", {}, node.title),
      h("small", {}, `${node.category.nameZh} · ${node.grid ? node.grid.name : LEVEL_ZH[node.level]} · ${formatTime(node.reportedAt)}`),
    ),
    badge(node.status),
    node.overdue ? h("span", { class: "overdue" }, "超期") : null,
    fresh ? h("span", { class: "fresh" }, "新") : null,
  );
}

class List {
  constructor(query, title, filters = null) {
    this.query = query;
    this.variables = {};
    this.list = h("ul", { class: "events" });
    this.count = h("span", { class: "count" });
    this.more = h("button", { type: "button", hidden: true, onclick: () => this.load(true) }, "加载更多");
    this.el = h("section", { class: "list" }, h("h2", {}, title, " ", this.count), filters, this.list, this.more);
    this.cursor = null;
  }

  async load(more = false) {
    try {
      const data = await gql(this.query, { ...this.variables, after: more ? this.cursor : null });
      const page = Object.values(data)[0];
      if (!more) this.list.replaceChildren();
      for (const edge of page.edges) this.list.append(item(edge.node));
      if (!page.edges.length && !more) this.list.append(h("li", { class: "empty" }, "暂无"));
      this.count.textContent = `（${page.totalCount}）`;
      this.cursor = page.pageInfo.endCursor;
      this.more.hidden = !page.pageInfo.hasNextPage;
    } catch (error) {
      showError(error);
    }
  }

  prepend(node) {
    const old = this.list.querySelector(`[data-event-id="${node.id}"]`);
    if (old) old.remove();
    const empty = this.list.querySelector(".empty");
    if (empty) empty.remove();
    this.list.prepend(item(node, true));
  }
}

function filterBar(onChange, categories) {
  const status = h("select", { name: "status", "aria-label": "状态" }, h("option", { value: "" }, "全部状态"),
    ...Object.entries(STATUS_ZH).map(([k, v]) => h("option", { value: k }, v)));
  const category = h("select", { name: "category", "aria-label": "类别" }, h("option", { value: "" }, "全部类别"),
    ...categories.map((c) => h("option", { value: c.code }, c.nameZh)));
  const overdue = h("input", { type: "checkbox", name: "overdue" });
  const changed = () => onChange({
    status: status.value || null,
    category: category.value || null,
    overdue: overdue.checked ? true : null,
  });
  for (const el of [status, category, overdue]) el.addEventListener("change", changed);
  return h("div", { class: "filters" }, status, category, h("label", {}, overdue, " 仅超期"));
}

// The form of one step: the fields it needs, then the mutation with expectedVersion.
function actionForm(event, action, done) {
  const fields = [];
  const note = (label, required = false) => {
    const input = h("textarea", { name: "text", rows: 2, required, placeholder: label });
    fields.push(input);
    return input;
  };
  let run;
  const id = event.id;
  const version = event.version;
  if (action === "ACCEPT") {
    const text = note("备注（可选）");
    run = () => gql(`mutation($id: ID!, $n: String, $v: Int) { acceptEvent(id: $id, note: $n, expectedVersion: $v) { id } }`, { id, n: text.value || null, v: version });
  } else if (action === "ESCALATE") {
    const text = note("上报上级的说明（可选）");
    run = () => gql(`mutation($id: ID!, $n: String, $v: Int) { escalateEvent(id: $id, note: $n, expectedVersion: $v) { id } }`, { id, n: text.value || null, v: version });
  } else if (action === "DISPATCH") {
    const select = h("select", { name: "department", required: true, "aria-label": "部门" }, h("option", { value: "" }, "选择职能部门…"));
    fields.push(select);
    gql(DEPARTMENTS, { region: event.regionCode }).then((data) => {
      for (const e of data.departments.edges) select.append(h("option", { value: e.node.code }, e.node.name));
    }, showError);
    const text = note("派遣说明（可选）");
    run = () => gql(`mutation($id: ID!, $d: String!, $n: String, $v: Int) { dispatchEvent(id: $id, departmentCode: $d, note: $n, expectedVersion: $v) { id } }`, { id, d: select.value, n: text.value || null, v: version });
  } else if (action === "SEND_BACK") {
    const text = note("退回理由（必填）", true);
    run = () => gql(`mutation($id: ID!, $r: String!, $v: Int) { sendBackEvent(id: $id, reason: $r, expectedVersion: $v) { id } }`, { id, r: text.value, v: version });
  } else if (action === "RESOLVE") {
    const text = note("处置结果（必填）", true);
    const files = h("input", { type: "file", name: "photos", accept: "image/*,video/*", multiple: true });
    fields.push(files);
    run = () => gql(
      `mutation($id: ID!, $r: String!, $a: [Upload!], $v: Int) { resolveEvent(id: $id, result: $r, attachments: $a, expectedVersion: $v) { id } }`,
      { id, r: text.value, a: files.files.length ? [...files.files].map(() => null) : null, v: version },
      files.files.length ? { "variables.a": [...files.files] } : null,
    );
  } else if (action === "VERIFY") {
    const passed = h("select", { name: "passed", "aria-label": "核查结果" }, h("option", { value: "true" }, "核查通过"), h("option", { value: "false" }, "核查不通过"));
    fields.push(passed);
    const text = note("核查说明（不通过时必填）");
    run = () => gql(`mutation($id: ID!, $p: Boolean!, $n: String, $v: Int) { verifyEvent(id: $id, passed: $p, note: $n, expectedVersion: $v) { id } }`, { id, p: passed.value === "true", n: text.value || null, v: version });
  } else if (action === "CLOSE") {
    const text = note("结案说明（可选）");
    run = () => gql(`mutation($id: ID!, $n: String, $v: Int) { closeEvent(id: $id, note: $n, expectedVersion: $v) { id } }`, { id, n: text.value || null, v: version });
  } else if (action === "SUPERVISE") {
    const card = h("select", { name: "card", "aria-label": "督办卡" }, ...Object.entries(CARD_ZH).map(([k, v]) => h("option", { value: k }, v)));
    fields.push(card);
    const text = note("督办意见（可选）");
    run = () => gql(`mutation($id: ID!, $c: SupervisionCard!, $n: String, $v: Int) { superviseEvent(id: $id, card: $c, note: $n, expectedVersion: $v) { id } }`, { id, c: card.value, n: text.value || null, v: version });
  } else {
    return null; // RATE: the reporter's, on the citizen page
  }
  const submit = h("button", { type: "submit" }, `确认${ACTION_ZH[action]}`);
  const form = h("form", { class: "action-form", dataset: { action } }, ...fields, submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      await run();
      await done();
    } catch (error) {
      showError(error);
      submit.disabled = false;
      if (error.code === "CONFLICT") await done(); // someone acted first: show it as it is now
    }
  });
  return form;
}

function media(files) {
  return h("div", { class: "media" }, ...files.map((f) => f.kind === "VIDEO"
    ? h("video", { src: f.url, controls: true, preload: "metadata", width: 240 })
    : h("a", { href: f.url, target: "_blank", rel: "noopener" }, h("img", { src: f.thumbnailUrl || f.url, alt: f.originalFilename || "照片", width: 120 }))));
}

function trace(steps) {
  return h("ol", { class: "trace" }, ...steps.map((s) => h(
    "li",
    { dataset: { step: s.step, action: s.action } },
    h("time", {}, formatTime(s.at)),
    h("strong", {}, ACTION_ZH[s.action] || s.action),
    h("span", {}, ` ${s.actor}`),
    s.toStatus ? h("span", { class: "to" }, ` → ${STATUS_ZH[s.toStatus] || s.toStatus}`) : null,
    s.note ? h("p", {}, s.note) : null,
    s.action !== "REPORT" && s.attachments.length ? media(s.attachments) : null, // shown above
  )));
}

export async function mount(container, { account }) {
  const categories = (await gql(CATEGORIES)).eventCategories;
  const tasks = new List(TASKS, "我的任务");
  const events = new List(EVENTS, "区域事件", filterBar((v) => {
    events.variables = v;
    events.load();
  }, categories));
  const detail = h("article", { class: "detail", "aria-live": "polite" }, h("p", { class: "hint" }, "从左侧选择一个事件"));
  container.append(h("div", { class: "desk" }, h("aside", {}, tasks.el, events.el), detail));

  let stopUpdates = null;
  let shown = null; // the event on show, whose updates the desk listens to
  let rendering = 0; // the latest render asked for wins

  async function open(id) {
    const mine = ++rendering;
    if (shown !== id) {
      if (stopUpdates) stopUpdates();
      shown = id;
      // someone else's step shows at once (one subscription while the event is open)
      stopUpdates = subscribe(UPDATED, { id }, () => {
        if (shown === id) open(id);
      }, showError);
    }
    try {
      const { event } = await gql(EVENT, { id });
      if (mine === rendering) render(event);
    } catch (error) {
      if (mine !== rendering) return;
      fill(detail, h("p", { class: "error-text" }, error.message));
      showError(error);
    }
  }

  function render(e) {
    const actions = h("div", { class: "actions" });
    const formBox = h("div", { class: "action-box" });
    for (const action of e.actions) {
      if (action === "RATE") continue;
      actions.append(h("button", {
        type: "button",
        dataset: { action },
        onclick: () => {
          const form = actionForm(e, action, async () => {
            await open(e.id);
            tasks.load();
            events.load();
          });
          formBox.replaceChildren(form || "");
        },
      }, ACTION_ZH[action]));
    }
    const mapBox = h("div", { class: "event-map" });
    fill(detail,
      h("header", {}, h("h2", {}, e.title), badge(e.status), e.overdue ? h("span", { class: "overdue" }, "超期") : null,
        e.supervision && e.supervision !== "NORMAL" ? h("span", { class: "card" }, CARD_ZH[e.supervision]) : null),
      h("dl", { class: "facts" },
        h("dt", {}, "类别"), h("dd", {}, e.category.nameZh),
        h("dt", {}, "所在网格"), h("dd", {}, e.grid ? `${e.grid.name}（${e.grid.code}）` : "网格外"),
        h("dt", {}, "当前处置"), h("dd", {}, `${LEVEL_ZH[e.assignee.level] || ""} ${e.assignee.name || ""}`),
        h("dt", {}, "上报"), h("dd", {}, `${formatTime(e.reportedAt)} · ${e.reporter || "匿名"} · ${e.channel}`),
        h("dt", {}, "办理时限"), h("dd", {}, formatTime(e.deadlineAt)),
        e.address ? [h("dt", {}, "地址"), h("dd", {}, e.address)] : null),
      h("p", { class: "description" }, e.description),
      e.attachments.length ? media(e.attachments) : null,
      h("h3", {}, "可执行操作"),
      e.actions.filter((a) => a !== "RATE").length ? actions : h("p", { class: "hint" }, "此事件当前不在您手中"),
      formBox,
      mapBox,
      h("h3", {}, "处置轨迹"),
      trace(e.trace),
    );
    const point = e.location && e.location.type === "Point" ? e.location.coordinates : null;
    if (point) miniMap(mapBox, point);
    else mapBox.remove();
  }

  // new tasks arrive live, on top of the list
  subscribe(NEW_TASKS, {}, (data) => tasks.prepend(data.myNewTasks), showError);
  await Promise.all([tasks.load(), events.load()]);

  return {
    async route(name, arg) {
      if (name === "event" && arg) await open(arg);
    },
  };
}
