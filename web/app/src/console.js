// The command centre's shell: sign in (the API's login; the token stays in this tab's
// session), then the big screen (#/screen) or the event desk (#/desk, #/event/<id>).
import { account, loginForm, logout, showError, ROLE_ZH } from "/app/src/api.js";

const views = {};

async function show() {
  const route = location.hash.replace(/^#\/?/, "") || "screen";
  const [name, arg] = route.split("/");
  const view = name === "event" ? "desk" : (name === "desk" ? "desk" : "screen");
  for (const el of document.querySelectorAll("main > .view")) el.hidden = el.id !== view;
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.view === view);
  const container = document.getElementById(view);
  try {
    if (!views[view]) {
      const module = await import(`/app/src/${view}.js`);
      views[view] = await module.mount(container, { account: account() });
    }
    if (views[view].route) await views[view].route(name, arg);
  } catch (error) {
    showError(error);
  }
}

function signedIn() {
  const me = account();
  document.getElementById("login").hidden = true;
  document.getElementById("nav").hidden = false;
  document.getElementById("logout").hidden = false;
  document.getElementById("who").textContent = `${me.name}（${ROLE_ZH[me.role] || me.role}）`;
  show();
}

function start() {
  document.getElementById("logout").addEventListener("click", () => logout());
  window.addEventListener("hashchange", show);
  loginForm(document.getElementById("login"), signedIn);
}

start();
