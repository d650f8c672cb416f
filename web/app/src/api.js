// The API as the pages use it: GraphQL over HTTP (JSON, or multipart when files go up),
// subscriptions over graphql-transport-ws, the token in this tab's session only.
// Every error is thrown as ApiError (message and extensions.code) for the page to show;
// requests that take a while show the progress bar (#busy) until they end.
import { createClient } from "/app/lib/graphql-ws/dist/client.js";

const TOKEN = "gridgov.token";
const ACCOUNT = "gridgov.account";
const NOTICE = "gridgov.notice"; // a message to show after the page reloads
const SESSION_ENDED = 4403;

export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code || "ERROR";
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN);
}

export function account() {
  const raw = sessionStorage.getItem(ACCOUNT);
  return raw ? JSON.parse(raw) : null;
}

export function authHeaders() {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

// --- progress: a bar shown while any request has been running for 300 ms -------------
let running = 0;
let shownTimer = null;
function busy(delta) {
  running += delta;
  const bar = document.getElementById("busy");
  if (!bar) return;
  if (running > 0 && shownTimer === null) {
    shownTimer = setTimeout(() => bar.hidden = false, 300);
  } else if (running === 0) {
    clearTimeout(shownTimer);
    shownTimer = null;
    bar.hidden = true;
  }
  document.body.dataset.busy = String(running);
}

function errorOf(body, status) {
  const first = body && Array.isArray(body.errors) && body.errors[0];
  if (first) return new ApiError(first.message, first.extensions && first.extensions.code, status);
  return new ApiError(`服务器返回 ${status}`, status === 503 ? "UNAVAILABLE" : "HTTP_ERROR", status);
}

// Files: {"variables.path": File | File[]} (the GraphQL multipart request spec).
export async function gql(query, variables = {}, files = null) {
  let init;
  if (files) {
    const form = new FormData();
    const map = {};
    const list = [];
    for (const [path, value] of Object.entries(files)) {
      for (const [i, file] of (Array.isArray(value) ? value : [value]).entries()) {
        const key = String(list.length);
        map[key] = [Array.isArray(value) ? `${path}.${i}` : path];
        list.push(file);
      }
    }
    form.append("operations", JSON.stringify({ query, variables }));
    form.append("map", JSON.stringify(map));
    list.forEach((file, i) => form.append(String(i), file, file.name));
    init = { method: "POST", body: form, headers: { ...authHeaders() } };
  } else {
    init = {
      method: "POST",
      body: JSON.stringify({ query, variables }),
      headers: { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json", ...authHeaders() },
    };
  }
  const sent = Boolean(token());
  busy(+1);
  try {
    let response;
    try {
      response = await fetch("/graphql", init);
    } catch (exc) {
      throw new ApiError(`无法连接服务器：${exc.message}`, "NETWORK");
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      throw errorOf(null, response.status);
    }
    if (body.errors && body.errors.length) {
      const error = errorOf(body, response.status);
      if (error.code === "UNAUTHENTICATED" && sent) {
        // the token no longer works (expired, session ended): sign in again
        sessionStorage.setItem(NOTICE, `${error.message}，请重新登录`);
        logout(true);
      }
      throw error;
    }
    if (!response.ok) throw errorOf(body, response.status);
    return body.data;
  } finally {
    busy(-1);
  }
}

export async function login(username, password) {
  const data = await gql(
    `mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
       token expiresAt account { id username name role
         region { code name level } department { code name } grid { code name } } } }`,
    { u: username, p: password },
  );
  sessionStorage.setItem(TOKEN, data.login.token);
  sessionStorage.setItem(ACCOUNT, JSON.stringify(data.login.account));
  return data.login.account;
}

// Signs in through a page's login form; then calls onSignedIn(account). An account
// already signed in in this tab skips the form.
export function loginForm(form, onSignedIn) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const me = await login(data.get("username"), data.get("password"));
      form.hidden = true;
      await onSignedIn(me);
    } catch (error) {
      showError(error);
    }
  });
  const notice = sessionStorage.getItem(NOTICE);
  if (notice) {
    sessionStorage.removeItem(NOTICE);
    showError(new ApiError(notice, "UNAUTHENTICATED"));
  }
  if (token() && account()) onSignedIn(account());
  else form.hidden = false;
}

export function logout(reload = true) {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(ACCOUNT);
  closeLive();
  if (reload) location.reload();
}

// --- live updates ---------------------------------------------------------------------
let client = null;

function liveClient() {
  if (client === null) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    client = createClient({
      url: `${scheme}://${location.host}/graphql`,
      connectionParams: () => authHeaders(),
      retryAttempts: Infinity,
      // 4403: the session ended (logged out elsewhere, password changed, account disabled)
      shouldRetry: (event) => !(event && event.code === SESSION_ENDED),
      on: {
        connected: () => setLive(true),
        closed: (event) => {
          setLive(false);
          if (event && event.code === SESSION_ENDED) {
            sessionStorage.setItem(NOTICE, "会话已结束（在别处退出、密码已修改或账号已停用），请重新登录");
            logout(true);
          }
        },
      },
    });
  }
  return client;
}

function setLive(on) {
  document.body.dataset.live = on ? "on" : "off";
  const mark = document.getElementById("live");
  if (mark) {
    mark.textContent = on ? "● 实时" : "○ 重连中";
    mark.classList.toggle("off", !on);
  }
}

export function closeLive() {
  if (client) client.dispose();
  client = null;
}

// Calls onData(data) for each result; onError(ApiError) on an error. Returns the stop function.
export function subscribe(query, variables, onData, onError) {
  return liveClient().subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.errors && result.errors.length) onError(errorOf(result, 200));
        else onData(result.data);
      },
      error: (err) => {
        const list = Array.isArray(err) ? err : [err];
        const first = list[0] || {};
        onError(new ApiError(first.message || first.reason || "实时连接出错", (first.extensions && first.extensions.code) || "LIVE"));
      },
      complete: () => {},
    },
  );
}

// --- small DOM helpers shared by the pages ----------------------------------------------
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Replaces an element's children (null, undefined and false are skipped, arrays flattened).
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return el;
}

// Shows an error where the user will see it (the page's #errors list), never swallowed.
export function showError(error, where = null) {
  const box = where || document.getElementById("errors");
  const text = error instanceof ApiError ? `${error.message}（${error.code}）` : String(error && error.message || error);
  if (!box) {
    alert(text);
    return;
  }
  const item = h("li", { role: "alert", class: "error" }, text, h("button", { type: "button", "aria-label": "关闭", onclick: () => item.remove() }, "×"));
  box.append(item);
}

export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export const STATUS_ZH = {
  ASSIGNED: "待受理", ACCEPTED: "处置中", DISPATCHED: "已派遣部门",
  RESOLVED: "已办结待核查", VERIFIED: "已核查", CLOSED: "已结案",
};

export const ACTION_ZH = {
  REPORT: "上报", ACCEPT: "受理", ESCALATE: "上报上级", DISPATCH: "派遣", SEND_BACK: "退回",
  RESOLVE: "办结", VERIFY: "核查", CLOSE: "结案", RATE: "评价", SUPERVISE: "督办",
};

export const ROLE_ZH = {
  CITIZEN: "群众", GRID_WORKER: "网格员", COMMUNITY_STAFF: "社区（村）", TOWNSHIP_STAFF: "镇（街道）",
  DISTRICT_COMMAND: "区指挥中心", DEPARTMENT_STAFF: "职能部门", ADMIN: "管理员", AUDITOR: "审计",
};
