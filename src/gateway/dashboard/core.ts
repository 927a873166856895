// The dashboard script's plumbing: the key (typed in or passed as `#key=…`, kept for the tab only),
// calls to the admin API with it, problems shown by their title and detail, and the confirmation
// every action asks for. Plain browser JavaScript, served as part of /dashboard/app.js.
import { ADMIN_PREFIX } from '../admin.js';

export const CORE = String.raw`
'use strict';
const ADMIN = ${JSON.stringify(ADMIN_PREFIX)};
const $ = (id) => document.getElementById(id);
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function row(cells, cls) {
  const tr = el('tr', undefined, cls);
  for (const c of cells) tr.appendChild(c instanceof Node ? wrap('td', c) : el('td', c));
  return tr;
}
function wrap(tag, child, cls) {
  const e = el(tag, undefined, cls);
  e.appendChild(child);
  return e;
}
function button(text, cls, onClick) {
  const b = el('button', text, cls);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}
function key() {
  const m = /^#key=(.+)$/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('pitchey-key', decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem('pitchey-key');
}
// An RFC 9457 problem from the API, shown as the person reads it: its title, then its detail.
class ApiError extends Error {
  constructor(problem, status) {
    super((problem.title || 'HTTP ' + status) + (problem.detail ? ': ' + problem.detail : ''));
    this.problem = problem;
    this.status = status;
  }
}
// GET (JSON) unless told otherwise; { optional: true } makes a 404 answer null (no controller here).
async function api(path, opts = {}) {
  const headers = { 'x-api-key': key() || '' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.accept) headers.accept = opts.accept;
  const init = { method: opts.method || 'GET', headers };
  if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
  const res = await fetch(ADMIN + path, init);
  if (res.status === 404 && opts.optional) return null;
  if (!res.ok) throw new ApiError(await res.json().catch(() => ({})), res.status);
  return opts.accept ? res.text() : res.json();
}
function notice(text, cls) {
  const n = $('notice');
  n.textContent = text;
  n.className = cls || '';
  n.hidden = !text;
}
// The confirmation every action asks for: resolves to the text typed (or '') when confirmed, null
// when cancelled. A field marked required keeps the dialog open until it is filled in.
function ask(message, field) {
  const dialog = $('confirm');
  const input = $('confirm-input');
  $('confirm-text').textContent = message;
  $('confirm-field').hidden = !field;
  $('confirm-label').textContent = field ? field.label : '';
  input.value = '';
  dialog.showModal();
  return new Promise((resolve) => {
    const done = (value) => {
      $('confirm-ok').onclick = null;
      $('confirm-cancel').onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(value);
    };
    $('confirm-ok').onclick = () => {
      if (field && field.required && input.value.trim() === '') return input.focus();
      done(field ? input.value.trim() : '');
    };
    $('confirm-cancel').onclick = () => done(null);
    dialog.onclose = () => done(null);
  });
}
`;
