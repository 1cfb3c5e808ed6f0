// The admin REST API as the console uses it. The key lives in sessionStorage only (gone when the
// tab closes), travels in the Authorization header only, and is never put in a URL or logged.

const KEY = 'vireo.adminKey';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function hasKey() {
  return !!sessionStorage.getItem(KEY);
}

export function setKey(key) {
  sessionStorage.setItem(KEY, key);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

export async function api(method, path, body) {
  const headers = { 'Authorization': 'Bearer ' + (sessionStorage.getItem(KEY) || '') };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch('/api/v1' + path, {
    method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store', credentials: 'omit'
  });
  if (res.status === 204) return null;
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = { message: text }; }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data && data.code || 'HttpError',
      data && data.message || ('HTTP ' + res.status));
    if (res.status === 401) {
      window.dispatchEvent(new CustomEvent('vireo-unauthorized'));
    }
    throw err;
  }
  return data;
}

/** A binary answer (a picture) as a Blob, or null for 204 No Content; the key stays in the header. */
export async function blob(path) {
  const res = await fetch('/api/v1' + path, {
    headers: { 'Authorization': 'Bearer ' + (sessionStorage.getItem(KEY) || '') }, cache: 'no-store', credentials: 'omit'
  });
  if (res.status === 204 || !res.ok) return null;
  return res.blob();
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body === undefined ? {} : body);
export const put = (path, body) => api('PUT', path, body);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);
