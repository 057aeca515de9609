// huddle-client.js — the browser client of Huddle's real-time API and a tiny REST helper.
//
// A plain ES module: no dependencies, no build step. Import it from any frontend:
//
//   import { HuddleClient, api } from '/huddle-client.js'
//   const client = new HuddleClient({ token, userId: 'alice' })
//   client.on('agent_update', (e) => console.log(e.task_id, e.status, e.progress))
//   client.on('notification', (n) => console.log(n.title))
//   client.on('state', (s) => console.log('connection', s))
//
// The protocol is docs/websocket.md; this module's guide is docs/web-client.md.

/**
 * @typedef {'connecting' | 'connected' | 'reconnecting' | 'closed'} ConnectionState
 */

/**
 * A task's progress, as the server sends it (docs/websocket.md).
 * @typedef {object} AgentUpdate
 * @property {'agent_update'} type
 * @property {number} id            The event id (queue.events); the client never emits the same id twice.
 * @property {string} task_id       The job id, as a string of digits.
 * @property {string} kind          The job kind (sit_start, trade_analysis, …).
 * @property {'pending'|'in_progress'|'completed'|'failed'|'cancelled'} status
 * @property {number} progress      0–100.
 * @property {string|null} current_step
 * @property {object} data          `{result}` when completed; `{error, attempt, retry_at}` after a failed attempt.
 */

/**
 * A notification, as the server sends it (also the shape of GET /api/v1/notifications items).
 * @typedef {object} Notification
 * @property {'notification'} type
 * @property {number} id
 * @property {string} notification_type  injury, waiver, lineup, …
 * @property {string} title
 * @property {string} message
 * @property {object} data
 * @property {string} timestamp          ISO 8601.
 */

/**
 * Details passed as the second argument of 'state' listeners.
 * @typedef {object} StateDetail
 * @property {ConnectionState} previous  The state before this one.
 * @property {boolean} [reconnect]       On 'connected': true when this is not the first successful open, so events
 *                                       may have been missed before the server's replay — refetch what you show.
 * @property {number} [code]             On 'reconnecting'/'closed': the close code that ended the last socket.
 * @property {string} [reason]           On 'reconnecting'/'closed': its reason.
 * @property {number} [delayMs]          On 'reconnecting': how long until the next attempt.
 * @property {number} [attempt]          On 'reconnecting': the number of consecutive failed attempts so far.
 */

/**
 * An API error: the HTTP status and the server's `{error: {code, message, fields}}`.
 */
export class HuddleApiError extends Error {
  /**
   * @param {string} message
   * @param {{status?: number, code?: string, fields?: Object<string,string>, body?: any}} [info]
   */
  constructor (message, { status = 0, code = 'network_error', fields = undefined, body = undefined } = {}) {
    super(message)
    this.name = 'HuddleApiError'
    /** HTTP status; 0 when the request did not get an answer. */
    this.status = status
    /** The server's error code (bad_request, unauthorized, forbidden, not_found, invalid_request, …), or network_error. */
    this.code = code
    /** Per-field messages of a 422, e.g. `{week: "must be an integer from 1 to 18"}`. */
    this.fields = fields
    /** The parsed response body, if any. */
    this.body = body
    /** The server's `error` object as sent: `{code, message, fields?}` (undefined without one). */
    this.error = body && body.error
  }
}

/**
 * A small fetch helper for Huddle's REST API: JSON in, JSON out, bearer token, errors thrown.
 *
 * @param {string} path                  E.g. `/api/v1/jobs?limit=20` (relative to `baseUrl`).
 * @param {object} [options]
 * @param {string} [options.method]      Default GET, or POST when a body is given.
 * @param {any}    [options.body]        Sent as JSON.
 * @param {string} [options.token]       Bearer token.
 * @param {string} [options.baseUrl]     Default: the page's origin.
 * @param {AbortSignal} [options.signal]
 * @returns {Promise<any>}               The parsed JSON body (null for 204 or an empty body).
 * @throws {HuddleApiError}              With `status`, `code`, `message` and `fields` of the server's error, or
 *                                       code `network_error` when the server could not be reached.
 */
export async function api (path, { method, body, token, baseUrl = defaultOrigin(), signal } = {}) {
  const headers = { Accept: 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let response
  try {
    response = await fetch(joinUrl(baseUrl, path), {
      method: method || (body !== undefined ? 'POST' : 'GET'),
      headers,
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal
    })
  } catch (err) {
    if (err && err.name === 'AbortError') throw err
    throw new HuddleApiError(`cannot reach the server (${err && err.message ? err.message : err})`)
  }
  const text = await response.text()
  let json = null
  if (text) {
    try { json = JSON.parse(text) } catch { json = undefined }
  }
  if (!response.ok) {
    const e = json && json.error
    const message = (e && e.message) || `${response.status} ${response.statusText || 'error'}`
    throw new HuddleApiError(message, { status: response.status, code: (e && e.code) || 'http_error', fields: e && e.fields, body: json })
  }
  if (json === undefined) throw new HuddleApiError('the server answered with something that is not JSON', { status: response.status, code: 'bad_response' })
  return json
}

/**
 * The real-time connection of one user: `ws(s)://host/ws/{userId}?token=…[&after=lastEventId]`, kept open
 * forever (capped exponential backoff with full jitter), resumed where it left off, with each event emitted
 * exactly once.
 *
 * Events (`on(type, fn)`):
 *  - `'agent_update'` `(update: AgentUpdate)`
 *  - `'notification'` `(notification: Notification)`
 *  - `'state'` `(state: ConnectionState, detail: StateDetail)`
 *  - `'error'` `(error: Error)` — a server `{"type":"error"}` message (err.serverMessage), a refused token
 *    (close 1008: err.code = 1008, the client stops), or a listener that threw.
 *  - `'resync'` `()` — the server could not replay everything since `lastEventId` (older than its retention):
 *    reload state over REST.
 *  - `'message'` `(message: object)` — every parsed server message, including pongs and duplicates' first copy.
 */
export class HuddleClient {
  /**
   * @param {object} options
   * @param {string} [options.baseUrl]        The server, e.g. `https://huddle.example.com` (default: the page's origin).
   * @param {string} options.token            The bearer token (JWT); its subject must be `userId`.
   * @param {string} options.userId           Whose events to receive.
   * @param {number} [options.lastEventId]    Resume after this event id (e.g. one you persisted); default none:
   *                                          live events only until the first one arrives.
   * @param {boolean} [options.autoConnect]   Connect right away (in a microtask, so listeners attached in the same
   *                                          turn see every event). Default true; else call `connect()`.
   * @param {number} [options.pingIntervalMs] Keepalive ping period (default 20000).
   * @param {number} [options.pongTimeoutMs]  A ping unanswered this long means a dead socket (default 10000).
   * @param {number} [options.backoffBaseMs]  Reconnect backoff base (default 500).
   * @param {number} [options.backoffCapMs]   Reconnect backoff cap (default 15000).
   * @param {number} [options.stableAfterMs]  A socket open this long resets the backoff (default 5000).
   * @param {typeof WebSocket} [options.WebSocket] A WebSocket implementation (default: the global one).
   */
  constructor ({
    baseUrl = defaultOrigin(), token, userId, lastEventId = 0, autoConnect = true,
    pingIntervalMs = 20000, pongTimeoutMs = 10000, backoffBaseMs = 500, backoffCapMs = 15000, stableAfterMs = 5000,
    WebSocket: WebSocketImpl = globalThis.WebSocket
  } = {}) {
    if (!token) throw new TypeError('HuddleClient needs a token')
    if (!userId) throw new TypeError('HuddleClient needs a userId')
    this.baseUrl = baseUrl
    this.token = token
    this.userId = String(userId)
    this.options = { pingIntervalMs, pongTimeoutMs, backoffBaseMs, backoffCapMs, stableAfterMs }
    this._WebSocket = WebSocketImpl
    this._listeners = new Map()
    this._state = 'closed'
    this._everConnected = false
    this._ws = null
    this._attempt = 0
    this._timers = { reconnect: null, ping: null, pong: null, stable: null }
    this._subscriptions = new Set()
    this._lastEventId = Number(lastEventId) || 0
    this._seen = new Set()
    this._seenFloor = this._lastEventId // ids at or below this were handled before the window of _seen
    this._stopped = !autoConnect
    if (autoConnect) queueMicrotask(() => { if (!this._stopped && !this._ws && !this._timers.reconnect) this._open() })
  }

  /** @returns {ConnectionState} The connection's state now. */
  get state () { return this._state }

  /** @returns {number} The id of the newest event emitted (0 before any); `&after=` uses it on reconnect. */
  get lastEventId () { return this._lastEventId }

  /** @returns {string[]} The task ids subscribed to (sent again after each reconnect). */
  get subscriptions () { return [...this._subscriptions] }

  /**
   * Listens to an event (see the class comment). Returns a function that removes the listener.
   * @param {'agent_update'|'notification'|'state'|'error'|'resync'|'message'} type
   * @param {Function} fn
   * @returns {() => void}
   */
  on (type, fn) {
    if (!this._listeners.has(type)) this._listeners.set(type, new Set())
    this._listeners.get(type).add(fn)
    return () => this.off(type, fn)
  }

  /**
   * Removes a listener added with `on`.
   * @param {string} type
   * @param {Function} fn
   */
  off (type, fn) {
    const set = this._listeners.get(type)
    if (set) set.delete(fn)
  }

  /**
   * (Re)starts the connection after `close()`, a refused token or `autoConnect: false`. No-op while open or
   * while a reconnect is scheduled.
   */
  connect () {
    this._stopped = false
    if (this._ws || this._timers.reconnect) return
    this._attempt = 0
    this._open()
  }

  /**
   * Replaces the token (e.g. a refreshed one). The open socket keeps the old one until it closes; the next
   * connection uses the new one. After a 1008 close, call `connect()` to start again.
   * @param {string} token
   */
  setToken (token) { this.token = token }

  /**
   * Receive only this task's agent_updates from now on (add more with further calls); notifications always
   * arrive. Kept across reconnects. Without subscriptions the client gets all of the user's tasks.
   * @param {string|number} taskId
   */
  subscribe (taskId) {
    const id = String(taskId)
    this._subscriptions.add(id)
    this._send({ type: 'subscribe', task_id: id })
  }

  /**
   * Stops filtering on a task (with no subscriptions left, all of the user's tasks arrive again).
   * @param {string|number} taskId
   */
  unsubscribe (taskId) {
    const id = String(taskId)
    this._subscriptions.delete(id)
    this._send({ type: 'unsubscribe', task_id: id })
  }

  /**
   * Closes the connection for good (state 'closed', no reconnect) until `connect()` is called.
   */
  close () {
    this._stopped = true
    this._clearTimers()
    this._dropSocket(1000, 'client closed')
    this._setState('closed', { code: 1000, reason: 'client closed' })
  }

  // ---- internals -------------------------------------------------------------------------------------

  /** The socket URL: the base URL's scheme mapped to ws/wss, the user, the token and `after`. */
  _url () {
    const url = new URL(`/ws/${encodeURIComponent(this.userId)}`, this.baseUrl)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    url.searchParams.set('token', this.token)
    if (this._lastEventId > 0) url.searchParams.set('after', String(this._lastEventId))
    return url.toString()
  }

  _open () {
    this._timers.reconnect = null
    if (this._stopped) return
    if (this._state !== 'reconnecting') this._setState('connecting', {})
    let ws
    try {
      ws = new this._WebSocket(this._url())
    } catch (err) {
      this._emit('error', err)
      this._scheduleReconnect(1006, String(err && err.message))
      return
    }
    this._ws = ws
    ws.onopen = () => {
      if (this._ws !== ws) return
      const reconnect = this._everConnected
      this._everConnected = true
      for (const id of this._subscriptions) this._send({ type: 'subscribe', task_id: id })
      this._startKeepalive()
      // Only a connection that stays up resets the backoff: a server that accepts and drops at once (or a
      // token refused right after the upgrade) must not be hammered.
      this._timers.stable = setTimeout(() => { this._timers.stable = null; this._attempt = 0 }, this.options.stableAfterMs)
      this._setState('connected', { reconnect })
    }
    ws.onmessage = (event) => { if (this._ws === ws) this._receive(event.data) }
    ws.onerror = () => { /* onclose follows with the code */ }
    ws.onclose = (event) => {
      if (this._ws !== ws) return
      this._ws = null
      this._stopKeepalive()
      this._handleClose(event.code, event.reason || '')
    }
  }

  _handleClose (code, reason) {
    if (this._stopped) { this._setState('closed', { code, reason }); return }
    if (code === 1008) {
      // The token was refused (invalid, expired, another user's): retrying with it cannot work.
      this._stopped = true
      this._clearTimers()
      const err = new Error(`connection refused: ${reason || 'invalid or expired token'} (close 1008)`)
      err.code = 1008
      err.reason = reason
      this._setState('closed', { code, reason })
      this._emit('error', err)
      return
    }
    this._scheduleReconnect(code, reason)
  }

  _scheduleReconnect (code, reason) {
    this._clearTimers()
    const { backoffBaseMs, backoffCapMs } = this.options
    // Full jitter: uniformly random in [0, min(cap, base * 2^attempt)].
    const ceiling = Math.min(backoffCapMs, backoffBaseMs * Math.pow(2, Math.min(this._attempt, 30)))
    const delayMs = Math.round(Math.random() * ceiling)
    this._attempt += 1
    this._setState('reconnecting', { code, reason, delayMs, attempt: this._attempt }, true)
    this._timers.reconnect = setTimeout(() => this._open(), delayMs)
  }

  _receive (raw) {
    let message
    try {
      message = JSON.parse(raw)
    } catch {
      this._emit('error', new Error('the server sent a message that is not JSON'))
      return
    }
    // Any message proves the socket is alive.
    this._clearPongTimer()
    if (!message || typeof message !== 'object') return
    switch (message.type) {
      case 'agent_update':
      case 'notification':
        if (!this._firstTime(message.id)) return
        this._emit('message', message)
        this._emit(message.type, message)
        return
      case 'resync':
        this._emit('message', message)
        this._emit('resync')
        return
      case 'error': {
        this._emit('message', message)
        const err = new Error(`server: ${message.error}`)
        err.serverMessage = message.error
        this._emit('error', err)
        return
      }
      default:
        this._emit('message', message)
    }
  }

  /** Whether an event id is new: records it, advances lastEventId; ids already emitted return false. */
  _firstTime (id) {
    const n = Number(id)
    if (!Number.isFinite(n) || n <= 0) return true // not an event row: nothing to deduplicate on
    if (n <= this._seenFloor || this._seen.has(n)) return false
    this._seen.add(n)
    if (n > this._lastEventId) this._lastEventId = n
    if (this._seen.size > 4096) {
      // Keep the newest 2048 ids; everything older than them counts as seen.
      const sorted = [...this._seen].sort((a, b) => a - b)
      const drop = sorted.slice(0, sorted.length - 2048)
      for (const old of drop) this._seen.delete(old)
      this._seenFloor = drop[drop.length - 1]
    }
    return true
  }

  _send (message) {
    const ws = this._ws
    if (ws && ws.readyState === 1 /* OPEN */) {
      ws.send(JSON.stringify(message))
      return true
    }
    return false
  }

  _startKeepalive () {
    this._stopKeepalive()
    this._timers.ping = setInterval(() => {
      if (!this._send({ type: 'ping' })) return
      if (this._timers.pong) return
      this._timers.pong = setTimeout(() => {
        this._timers.pong = null
        // No answer: the socket is dead (a sleeping laptop, a dropped NAT mapping). A close handshake could
        // hang as long as the browser's own timeout, so drop the socket and reconnect at once.
        this._dropSocket(4000, 'no pong')
        if (!this._stopped) this._scheduleReconnect(4000, 'no pong within ' + this.options.pongTimeoutMs + ' ms')
      }, this.options.pongTimeoutMs)
    }, this.options.pingIntervalMs)
  }

  _clearPongTimer () {
    if (this._timers.pong) { clearTimeout(this._timers.pong); this._timers.pong = null }
  }

  _stopKeepalive () {
    if (this._timers.ping) { clearInterval(this._timers.ping); this._timers.ping = null }
    this._clearPongTimer()
    if (this._timers.stable) { clearTimeout(this._timers.stable); this._timers.stable = null }
  }

  _clearTimers () {
    this._stopKeepalive()
    if (this._timers.reconnect) { clearTimeout(this._timers.reconnect); this._timers.reconnect = null }
  }

  /** Forgets the current socket (its late events are ignored) and closes it. */
  _dropSocket (code, reason) {
    const ws = this._ws
    this._ws = null
    this._stopKeepalive()
    if (!ws) return
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null
    try { ws.close(code, reason) } catch { /* already closing */ }
  }

  _setState (state, detail, always = false) {
    const previous = this._state
    if (previous === state && !always) return
    this._state = state
    this._emit('state', state, { previous, ...detail })
  }

  _emit (type, ...args) {
    const set = this._listeners.get(type)
    if (!set) return
    for (const fn of [...set]) {
      try {
        fn(...args)
      } catch (err) {
        if (type === 'error') console.error(err) // do not loop
        else this._emit('error', err)
      }
    }
  }
}

/**
 * Decodes a JWT's payload (base64url JSON) without checking its signature — for display only (the server
 * checks tokens). Returns null when `token` is not a JWT.
 * @param {string} token
 * @returns {{sub?: string, admin?: boolean, exp?: number} | null}
 */
export function decodeToken (token) {
  try {
    const part = String(token).split('.')[1]
    if (!part) return null
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
    const payload = JSON.parse(new TextDecoder().decode(bytes))
    return payload && typeof payload === 'object' ? payload : null
  } catch {
    return null
  }
}

function defaultOrigin () {
  return typeof location !== 'undefined' ? location.origin : 'http://127.0.0.1:8000'
}

function joinUrl (base, path) {
  if (/^https?:\/\//.test(path)) return path
  return base.replace(/\/+$/, '') + '/' + String(path).replace(/^\/+/, '')
}
