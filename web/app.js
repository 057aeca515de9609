// The Huddle dashboard: sign in with a token, pick a league, run sit/start and trade analyses and watch them
// live, read notifications, browse task history and (admins) operate queues and schedules.
// Plain ES module, no build step; the real-time part is huddle-client.js (docs/web-client.md).
import { HuddleClient, api as rawApi, decodeToken } from './huddle-client.js'

const TOKEN_KEY = 'huddle.token'
const FINISHED = new Set(['completed', 'failed', 'cancelled'])
const KIND_LABELS = { sit_start: 'Sit/start', trade_analysis: 'Trade analysis' }
const STATUS_LABELS = { pending: 'pending', in_progress: 'in progress', completed: 'completed', failed: 'failed', cancelled: 'cancelled' }
const TOAST_MS = 7000

const $ = (selector, root = document) => root.querySelector(selector)
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)]

/** The session: who is signed in and everything the page shows about them. */
const session = {
  token: null,
  user: null, // {sub, admin, exp}
  client: null,
  leagues: [],
  league: null, // the picked membership
  tasks: new Map(), // task id → {id, kind, status, progress, current_step, result, error, args, retryAt}
  rosters: new Map(), // `${league_id}:${roster_id}` → players (lineup + bench of a sit/start result)
  notifications: new Map(), // event id → notification
  history: { jobs: [], nextBefore: null, selected: null },
  opsTimer: null,
  historyTimer: null,
  opens: 0, // successful socket opens, to tell an outage from a failure
  leaguesLoaded: false
}

// ---- small DOM helpers ------------------------------------------------------------------------------------

/** Creates an element: h('td', {class: 'num', dataset: {x: 1}}, 'text', child…). Text is never parsed as HTML. */
function h (tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue
    if (key === 'class') el.className = value
    else if (key === 'dataset') Object.assign(el.dataset, value)
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value)
    else if (value === true) el.setAttribute(key, '')
    else el.setAttribute(key, String(value))
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue
    el.append(child instanceof Node ? child : String(child))
  }
  return el
}

/** A table row holding one message across the table's four columns: 'muted' for "nothing here", 'task-error'. */
const messageRow = (text, cls = 'muted') => h('tr', {}, h('td', { colspan: '4', class: cls }, text))

const pts = (v) => (typeof v === 'number' ? v.toFixed(2) : '–')
const signed = (v) => (typeof v === 'number' ? (v > 0 ? '+' : '') + v.toFixed(2) : '–')

function fmtTime (iso) {
  if (!iso) return '–'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso)
  const sameDay = d.toDateString() === new Date().toDateString()
  return sameDay ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
}

function fmtSeconds (s) {
  if (typeof s !== 'number') return '–'
  if (s < 1) return '0 s'
  if (s < 120) return `${Math.round(s)} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  return `${(s / 3600).toFixed(1)} h`
}

/** PostgreSQL interval text ("00:30:00", "1 day 02:00:00") as "30 min", "1 d 2 h". */
function fmtInterval (text) {
  const m = /^(?:(\d+) days? ?)?(?:(\d+):(\d+):(\d+(?:\.\d+)?))?$/.exec(String(text).trim())
  if (!m) return String(text)
  const parts = []
  if (m[1]) parts.push(`${Number(m[1])} d`)
  if (m[2] && Number(m[2])) parts.push(`${Number(m[2])} h`)
  if (m[3] && Number(m[3])) parts.push(`${Number(m[3])} min`)
  if (m[4] && Number(m[4])) parts.push(`${Number(m[4])} s`)
  return parts.join(' ') || '0 s'
}

// ---- errors and toasts ------------------------------------------------------------------------------------

/** Shows an error in the banner (same message once), until dismissed. */
function showError (err, context) {
  if (err && err.stale) return
  const message = (context ? context + ': ' : '') + (err && err.message ? err.message : String(err))
  console.error(message, err)
  const box = $('#errors')
  if ($$('.error-item', box).some((el) => el.dataset.message === message)) return
  const item = h('div', { class: 'error-item', dataset: { message } },
    h('span', {}, message),
    h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'))
  box.append(item)
  while (box.children.length > 5) box.firstElementChild.remove()
}

/**
 * An error of a background load (history, notifications, a task refresh). When the server is unreachable
 * the connection indicator already says so, and reconnecting reloads all of it: such an error is shown only
 * if the live connection stays up without a reconnect for 2 s after it (then it is not an outage).
 */
function backgroundError (err, context) {
  if (err && err.stale) return
  const outage = err && (err.code === 'network_error' || [502, 503, 504].includes(err.status))
  if (!outage) { showError(err, context); return }
  const client = session.client
  const opens = session.opens
  if (!client || client.state !== 'connected') return
  setTimeout(() => {
    if (session.client === client && client.state === 'connected' && session.opens === opens) showError(err, context)
  }, 2000)
}

/** A toast (class toast, data-type) with a title and a message, for a few seconds; click to dismiss. */
function toast ({ type = 'info', title, message }) {
  const el = h('div', { class: 'toast', dataset: { type }, role: 'status' },
    h('strong', { class: 'toast-title' }, title || ''),
    message ? h('span', { class: 'toast-message' }, message) : null)
  el.addEventListener('click', () => el.remove())
  const box = $('#toasts')
  box.append(el)
  while (box.children.length > 4) box.firstElementChild.remove()
  setTimeout(() => { el.classList.add('leaving'); setTimeout(() => el.remove(), 300) }, TOAST_MS)
}

/** The REST helper with the session's token; a 401 signs out (the token is no longer good). An answer that
 * arrives after a sign-out or a switch to another user is thrown away (an error with `stale`). */
async function api (path, options = {}) {
  const token = session.token
  const stale = () => Object.assign(new Error('signed out meanwhile'), { stale: true })
  if (!token) throw stale()
  try {
    const answer = await rawApi(path, { ...options, token })
    if (session.token !== token) throw stale()
    return answer
  } catch (err) {
    if (err.stale || session.token !== token) throw stale()
    if (err.status === 401) signOut(`Your token was refused (${err.message}). Sign in again.`)
    throw err
  }
}

// ---- sign in / out ----------------------------------------------------------------------------------------

/** The token in the URL's fragment (`/#token=…`), removed from the address bar, history and bookmarks. */
function takeTokenFromHash () {
  const hash = new URLSearchParams(location.hash.slice(1))
  const token = hash.get('token')
  if (!token) return null
  hash.delete('token')
  const rest = hash.toString()
  history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''))
  return token
}

function start () {
  const fromUrl = takeTokenFromHash()
  const token = fromUrl || localStorage.getItem(TOKEN_KEY)
  if (token) signIn(token)
  else showSignIn()
  // A new /#token=… link opened in this tab (only the fragment changes, so the page does not reload).
  window.addEventListener('hashchange', () => {
    const next = takeTokenFromHash()
    if (!next || next === session.token) return
    if (session.token) signOut()
    signIn(next)
  })
}

function showSignIn (message) {
  $('#app-view').hidden = true
  $('#signin-view').hidden = false
  $('#who').hidden = true
  $('#sign-out').hidden = true
  setConnection('closed', 'signed out')
  const error = $('#signin-form .field-error[data-field="token"]')
  error.textContent = message || ''
}

function signIn (token) {
  token = String(token).trim()
  const claims = decodeToken(token)
  if (!claims || !claims.sub) { showSignIn('That is not a Huddle token (a JWT with a subject).'); return }
  if (claims.exp && claims.exp * 1000 <= Date.now()) {
    localStorage.removeItem(TOKEN_KEY)
    showSignIn(`That token expired on ${new Date(claims.exp * 1000).toLocaleString()}. Make a new one with huddle token ${claims.sub}.`)
    return
  }
  localStorage.setItem(TOKEN_KEY, token)
  session.token = token
  session.user = { sub: String(claims.sub), admin: claims.admin === true, exp: claims.exp }
  $('#signin-view').hidden = true
  $('#app-view').hidden = false
  const who = $('#who')
  who.replaceChildren(h('span', {}, session.user.sub))
  if (session.user.admin) who.append(h('span', { class: 'badge admin' }, 'admin'))
  if (session.user.exp) who.title = `token valid until ${new Date(session.user.exp * 1000).toLocaleString()}`
  who.hidden = false
  $('#sign-out').hidden = false
  $('#ops').hidden = !session.user.admin
  connect()
  loadLeagues()
  loadHistory()
  if (session.user.admin) {
    loadOps()
    session.opsTimer = setInterval(() => { if (!document.hidden) loadOps() }, 15000)
  }
}

function signOut (message) {
  if (session.client) session.client.close()
  session.client = null
  clearInterval(session.opsTimer)
  clearTimeout(session.historyTimer)
  session.historyTimer = null
  localStorage.removeItem(TOKEN_KEY)
  Object.assign(session, { token: null, user: null, leagues: [], league: null, leaguesLoaded: false })
  session.tasks.clear()
  session.rosters.clear()
  session.notifications.clear()
  session.history = { jobs: [], nextBefore: null, selected: null }
  $('#tasks').replaceChildren(h('p', { class: 'empty muted' }, 'Start an analysis: its progress shows here live.'))
  $('#feed').replaceChildren(h('li', { class: 'empty muted' }, 'No notifications yet.'))
  $('#history').replaceChildren()
  $('#history-detail').hidden = true
  $('#errors').replaceChildren()
  $('#toasts').replaceChildren()
  showSignIn(message)
}

// ---- the live connection ----------------------------------------------------------------------------------

function setConnection (state, title) {
  const el = $('#connection')
  el.dataset.state = state
  el.textContent = state
  el.title = title || ''
}

function connect () {
  const client = new HuddleClient({ token: session.token, userId: session.user.sub })
  session.client = client
  client.on('state', (state, detail) => {
    let title = ''
    if (state === 'reconnecting') title = `connection lost (code ${detail.code}); retrying in ${(detail.delayMs / 1000).toFixed(1)} s`
    if (state === 'closed' && detail.reason) title = detail.reason
    setConnection(state, title)
    if (state === 'connected') {
      session.opens++
      if (!session.leaguesLoaded) loadLeagues()
      if (detail.reconnect) {
        // The server replays what we missed (after=last event id), but a task or notification from before
        // our first event would not be: refetch what is on screen.
        refreshUnfinishedTasks()
        loadNotifications(maxNotificationId())
      } else {
        loadNotifications(0)
      }
    }
  })
  client.on('agent_update', onAgentUpdate)
  client.on('notification', (n) => { addNotification(n, true) })
  client.on('resync', () => {
    refreshUnfinishedTasks()
    loadNotifications(maxNotificationId())
    loadHistory()
  })
  client.on('error', (err) => {
    if (err.code === 1008) signOut(`The server closed the connection: ${err.reason || 'invalid or expired token'}. Sign in again.`)
    else showError(err, 'Live updates')
  })
}

// ---- leagues ----------------------------------------------------------------------------------------------

let loadingLeagues = null
function loadLeagues () {
  if (!loadingLeagues) loadingLeagues = fetchLeagues().finally(() => { loadingLeagues = null })
  return loadingLeagues
}

async function fetchLeagues () {
  const picker = $('#league-picker')
  try {
    const { leagues } = await api('/api/v1/me/leagues')
    session.leagues = leagues
    session.leaguesLoaded = true
    picker.replaceChildren()
    if (leagues.length === 0) {
      picker.append(h('option', { value: '' }, 'No leagues'))
      picker.disabled = true
      pickLeague(null)
      $('#league-details').textContent = 'You have no team in any league yet (huddle sleeper import --member …), so there is nothing to analyse.'
      return
    }
    leagues.forEach((m, i) => picker.append(h('option', { value: String(i) },
      `${m.league_name} — ${m.team_name || 'roster ' + m.roster_id}`)))
    picker.disabled = false
    pickLeague(leagues[0])
  } catch (err) {
    if (err.stale) return
    picker.replaceChildren(h('option', {}, 'Could not load leagues'))
    backgroundError(err, 'Loading your leagues')
  }
}

function pickLeague (membership) {
  session.league = membership
  const details = $('#league-details')
  const rosterSelect = $('#sit-roster')
  const partner = $('#trade-partner')
  rosterSelect.replaceChildren()
  partner.replaceChildren()
  for (const card of $$('.analysis')) card.hidden = !membership
  if (!membership) { details.textContent = ''; renderPickers(); return }
  details.textContent = `Season ${membership.season} · ${membership.teams} teams · ${membership.scoring_format.replace('_', '-').toUpperCase()} · you are roster ${membership.roster_id}`
  for (let r = 1; r <= Math.max(membership.teams, membership.roster_id); r++) {
    const mine = r === membership.roster_id
    rosterSelect.append(h('option', { value: String(r), selected: mine }, mine ? `Roster ${r} — ${membership.team_name || 'your team'} (you)` : `Roster ${r}`))
    if (!mine) partner.append(h('option', { value: String(r) }, `Roster ${r}`))
  }
  renderPickers()
}

// ---- forms ------------------------------------------------------------------------------------------------

function clearFormErrors (form) {
  $$('.field-error, .form-error', form).forEach((el) => { el.textContent = '' })
  $$('[aria-invalid]', form).forEach((el) => el.removeAttribute('aria-invalid'))
}

/** Shows a failed request next to the form's fields (422 error.fields), else under the form. */
function showFormError (form, err) {
  const fields = err.fields || {}
  const unplaced = []
  for (const [field, message] of Object.entries(fields)) {
    const slot = $(`.field-error[data-field="${CSS.escape(field)}"]`, form)
    if (slot) {
      slot.textContent = message
      const input = $(`[name="${CSS.escape(field)}"]`, form)
      if (input) input.setAttribute('aria-invalid', 'true')
    } else unplaced.push(`${field}: ${message}`)
  }
  const general = $('.form-error', form)
  if (!err.fields || unplaced.length) general.textContent = [err.message, ...unplaced].filter(Boolean).join(' — ')
}

async function submitTask (form, path, body, args) {
  clearFormErrors(form)
  const button = $('button[type="submit"]', form)
  button.disabled = true
  try {
    const answer = await api(path, { method: 'POST', body })
    const task = upsertTask({ id: String(answer.task_id), kind: args.kind, status: answer.status, progress: answer.progress, args: args.args }, { onlyIfNew: true })
    if (!task.args) task.args = args.args
    renderTask(task)
    scheduleHistoryReload()
    return task
  } catch (err) {
    if (err.stale) return
    showFormError(form, err)
    if (!err.fields) showError(err, 'Starting the analysis')
    return null
  } finally {
    button.disabled = false
  }
}

function parseWeek (raw) {
  const text = String(raw).trim()
  if (text === '') return undefined
  const n = Number(text)
  return Number.isFinite(n) ? n : text // the server explains what is wrong with it
}

function parseIds (raw) {
  return String(raw).split(/[\s,]+/).map((s) => s.trim()).filter(Boolean)
}

function setupForms () {
  $('#signin-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const token = $('#token-input').value.trim()
    if (!token) { showSignIn('Paste a token first.'); return }
    $('#token-input').value = ''
    signIn(token)
  })
  $('#sign-out').addEventListener('click', () => signOut())
  $('#league-picker').addEventListener('change', (e) => pickLeague(session.leagues[Number(e.target.value)] || null))

  $('#sit-start-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const form = event.currentTarget
    if (!session.league) { showFormError(form, { message: 'Pick a league first.' }); return }
    const body = { league_id: session.league.league_id, roster_id: Number($('#sit-roster').value) }
    const week = parseWeek($('#sit-week').value)
    if (week !== undefined) body.week = week
    submitTask(form, '/api/v1/agents/sit-start', body, { kind: 'sit_start', args: body })
  })

  $('#trade-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const form = event.currentTarget
    if (!session.league) { showFormError(form, { message: 'Pick a league first.' }); return }
    const body = {
      league_id: session.league.league_id,
      my_players: parseIds($('#trade-mine').value),
      their_players: parseIds($('#trade-theirs').value)
    }
    submitTask(form, '/api/v1/agents/trade-analysis', body, { kind: 'trade_analysis', args: body })
  })
  $('#trade-partner').addEventListener('change', renderPickers)
  for (const id of ['#trade-mine', '#trade-theirs']) $(id).addEventListener('input', syncChips)

  $('#clear-tasks').addEventListener('click', () => {
    for (const [id, task] of session.tasks) {
      if (FINISHED.has(task.status)) { taskElement(id)?.remove(); session.tasks.delete(id) }
    }
    ensureTasksPlaceholder()
  })
  $('#refresh-history').addEventListener('click', () => loadHistory())
  $('#history-more').addEventListener('click', () => loadHistory(session.history.nextBefore))
  $('#refresh-ops').addEventListener('click', () => loadOps())
}

// ---- trade pickers: players known from sit/start results ----------------------------------------------------

function rosterKey (leagueId, rosterId) { return `${leagueId}:${rosterId}` }

/** Remembers a roster's players from a completed sit/start (its lineup and bench). */
function rememberRoster (args, result) {
  if (!args || !result || !Array.isArray(result.lineup)) return
  const players = [...result.lineup, ...(result.bench || [])].filter((p) => p && p.player_id)
  session.rosters.set(rosterKey(args.league_id, args.roster_id), players)
  renderPickers()
}

function renderPickers () {
  const league = session.league
  const fill = (box, rosterId, input, label) => {
    box.replaceChildren()
    if (!league || !rosterId) return
    const players = session.rosters.get(rosterKey(league.league_id, rosterId))
    if (!players) {
      box.append(h('button', {
        type: 'button',
        class: 'link',
        onclick: () => {
          const form = $('#sit-start-form')
          const body = { league_id: league.league_id, roster_id: Number(rosterId) }
          submitTask(form, '/api/v1/agents/sit-start', body, { kind: 'sit_start', args: body })
        }
      }, `Load ${label} players (runs a sit/start)`))
      return
    }
    for (const p of players) {
      box.append(h('button', {
        type: 'button',
        class: 'chip',
        dataset: { playerId: p.player_id },
        'aria-pressed': 'false',
        title: `id ${p.player_id}${p.injury_status ? ' · ' + p.injury_status : ''}`,
        onclick: () => toggleId(input, p.player_id)
      }, `${p.name} `, h('span', { class: 'muted' }, `${p.position}${p.team ? ' ' + p.team : ''}`)))
    }
  }
  fill($('#pick-mine'), league && league.roster_id, $('#trade-mine'), 'your')
  const partner = $('#trade-partner').value
  fill($('#pick-theirs'), partner, $('#trade-theirs'), `roster ${partner}'s`)
  syncChips()
}

function toggleId (input, id) {
  const ids = parseIds(input.value)
  const at = ids.indexOf(id)
  if (at >= 0) ids.splice(at, 1)
  else ids.push(id)
  input.value = ids.join(', ')
  syncChips()
}

function syncChips () {
  for (const [box, input] of [[$('#pick-mine'), $('#trade-mine')], [$('#pick-theirs'), $('#trade-theirs')]]) {
    const ids = new Set(parseIds(input.value))
    for (const chip of $$('.chip', box)) chip.setAttribute('aria-pressed', String(ids.has(chip.dataset.playerId)))
  }
}

// ---- task cards -------------------------------------------------------------------------------------------

function taskElement (id) { return $(`#tasks .task[data-task-id="${CSS.escape(String(id))}"]`) }

function ensureTasksPlaceholder () {
  const box = $('#tasks')
  const empty = $('.empty', box)
  const hasTasks = $$('.task', box).length > 0
  if (hasTasks && empty) empty.remove()
  if (!hasTasks && !empty) box.append(h('p', { class: 'empty muted' }, 'Start an analysis: its progress shows here live.'))
}

/**
 * Records what is known about a task. Finished tasks never go back to running on older news (a REST answer
 * that left before the final event), but a retried one does (its next event says so).
 */
function upsertTask (info, { onlyIfNew = false, fromRest = false } = {}) {
  const id = String(info.id)
  let task = session.tasks.get(id)
  if (!task) {
    task = { id, kind: info.kind, status: 'pending', progress: 0, current_step: null, result: null, error: null, args: null }
    session.tasks.set(id, task)
  } else if (onlyIfNew) return task
  if (fromRest && FINISHED.has(task.status) && !FINISHED.has(info.status)) return task
  for (const key of ['kind', 'status', 'progress', 'current_step', 'result', 'error', 'args', 'retryAt']) {
    if (info[key] !== undefined) task[key] = info[key]
  }
  return task
}

function onAgentUpdate (update) {
  const id = String(update.task_id)
  const data = update.data || {}
  const info = { id, kind: update.kind, status: update.status, progress: update.progress, current_step: update.current_step }
  if (update.status === 'completed') { info.result = data.result ?? null; info.error = null }
  if (data.error !== undefined) info.error = data.error
  info.retryAt = update.status === 'pending' ? (data.retry_at || null) : null
  if (update.status === 'in_progress' && update.progress === 0 && !data.error) info.error = null
  updateHistoryRow(id, update)
  // Cards are for analyses; other kinds (sleep, monitors) show in history only.
  if (!session.tasks.has(id) && !KIND_LABELS[update.kind]) return
  const task = upsertTask(info)
  renderTask(task)
  if (task.status === 'completed' && task.kind === 'sit_start') {
    if (task.args) rememberRoster(task.args, task.result)
    else fetchArgs(task)
  }
}

async function fetchArgs (task) {
  try {
    const job = await api(`/api/v1/jobs/${encodeURIComponent(task.id)}`)
    task.args = job.args
    renderTask(task)
    if (task.kind === 'sit_start' && task.status === 'completed') rememberRoster(task.args, task.result)
  } catch (err) {
    if (err.stale) return
    if (err.status !== 404) backgroundError(err, `Loading task ${task.id}`)
  }
}

/** After a reconnect or a resync: the REST truth for every card that is not finished. */
async function refreshUnfinishedTasks () {
  const open = [...session.tasks.values()].filter((t) => !FINISHED.has(t.status))
  await Promise.all(open.map(async (t) => {
    try {
      const s = await api(`/api/v1/agents/tasks/${encodeURIComponent(t.id)}`)
      const task = upsertTask({ id: t.id, status: s.status, progress: s.progress, current_step: s.current_step, result: s.result ?? null, error: s.error ?? null }, { fromRest: true })
      renderTask(task)
      if (task.kind === 'sit_start' && task.status === 'completed' && task.args) rememberRoster(task.args, task.result)
    } catch (err) {
      if (err.stale) return
      backgroundError(err, `Refreshing task ${t.id}`)
    }
  }))
  scheduleHistoryReload()
}

function taskTitle (task) {
  const label = KIND_LABELS[task.kind] || task.kind || 'Task'
  const a = task.args || {}
  const parts = [label]
  if (task.kind === 'sit_start' && a.roster_id !== undefined) parts.push(`roster ${a.roster_id}`)
  const week = (task.result && task.result.week) || a.week
  if (task.kind === 'sit_start' && week) parts.push(`week ${week}`)
  if (task.kind === 'trade_analysis' && a.my_players) parts.push(`${a.my_players.length} for ${a.their_players.length}`)
  return parts.join(' · ')
}

function renderTask (task) {
  let el = taskElement(task.id)
  if (!el) {
    el = h('article', { class: 'task', dataset: { taskId: task.id } },
      h('header', { class: 'task-head' },
        h('strong', { class: 'task-title' }),
        h('span', { class: 'task-id muted' }, `#${task.id}`),
        h('span', { class: 'status' }),
        h('button', { type: 'button', class: 'link dismiss', 'aria-label': 'Remove card', onclick: () => { el.remove(); session.tasks.delete(task.id); ensureTasksPlaceholder() } }, '×')),
      h('div', { class: 'progress-row' },
        h('progress', { max: '100', value: '0' }),
        h('span', { class: 'pct' })),
      h('p', { class: 'step muted' }),
      h('p', { class: 'task-error' }),
      h('div', { class: 'result' }))
    $('#tasks').prepend(el)
    ensureTasksPlaceholder()
  }
  const progress = Math.max(0, Math.min(100, Number(task.progress) || 0))
  el.dataset.status = task.status
  el.dataset.kind = task.kind || ''
  $('.task-title', el).textContent = taskTitle(task)
  const status = $('.status', el)
  status.textContent = STATUS_LABELS[task.status] || task.status
  status.dataset.status = task.status
  const bar = $('progress', el)
  bar.value = progress
  bar.dataset.progress = String(progress)
  bar.setAttribute('aria-label', `${progress}%`)
  $('.pct', el).textContent = `${progress}%`
  $('.step', el).textContent = task.current_step || (task.status === 'pending' ? 'Waiting for a worker…' : '')
  const error = $('.task-error', el)
  if (task.error && task.status !== 'completed') {
    error.textContent = task.status === 'pending' && task.retryAt
      ? `Attempt failed: ${task.error} — retrying at ${fmtTime(task.retryAt)}`
      : task.error
    error.hidden = false
  } else {
    error.textContent = ''
    error.hidden = true
  }
  const resultBox = $('.result', el)
  const rendered = resultBox.dataset.rendered === 'true'
  if (task.status === 'completed' && task.result != null && !rendered) {
    resultBox.replaceChildren(renderResult(task.kind, task.result))
    resultBox.dataset.rendered = 'true'
  } else if (task.status !== 'completed' && rendered) {
    resultBox.replaceChildren()
    resultBox.dataset.rendered = 'false'
  }
}

// ---- results ----------------------------------------------------------------------------------------------

function renderResult (kind, result) {
  if (kind === 'sit_start' && result && Array.isArray(result.lineup)) return renderSitStart(result)
  if (kind === 'trade_analysis' && result && result.verdict) return renderTrade(result)
  return h('pre', { class: 'json' }, JSON.stringify(result, null, 2))
}

function injury (status) {
  return status ? h('span', { class: 'inj', dataset: { status } }, status) : ''
}

function renderSitStart (r) {
  const all = [...r.lineup, ...(r.bench || [])]
  const names = new Map(all.map((p) => [p.player_id, p.name]))
  const changed = (p) => (r.changes || []).find((c) => c.slot === p.slot && c.in === p.player_id)
  const row = (p, change) => h('tr', { class: change ? 'changed' : undefined, dataset: { playerId: p.player_id || '' }, title: change ? `replaces ${change.out ? names.get(change.out) || change.out : 'an empty slot'} (${signed(change.gain)})` : undefined },
    h('td', { class: 'slot' }, p.slot),
    h('td', {}, p.name || h('span', { class: 'muted' }, 'empty'), change ? h('span', { class: 'gain' }, ` ${signed(change.gain)}`) : ''),
    h('td', {}, p.position || ''),
    h('td', {}, p.team || ''),
    h('td', { class: 'num' }, pts(p.projected_points)),
    h('td', {}, injury(p.injury_status)))
  const head = () => h('thead', {}, h('tr', {}, ['Slot', 'Player', 'Pos', 'Team', 'Proj', 'Status'].map((t, i) => h('th', { class: i === 4 ? 'num' : undefined }, t))))
  const gain = (r.projected_total ?? 0) - (r.current_total ?? 0)
  const changes = r.changes || []
  return h('div', { class: 'sit-start' },
    h('p', { class: 'totals' },
      h('span', {}, `Week ${r.week}: projected `, h('strong', {}, pts(r.projected_total)), ' pts'),
      h('span', { class: 'muted' }, ` · current lineup ${pts(r.current_total)}`),
      changes.length ? h('span', { class: 'gain' }, ` · ${signed(gain)}`) : ''),
    changes.length
      ? h('ul', { class: 'changes' }, changes.map((c) => h('li', {}, h('strong', {}, c.slot), `: start ${c.in ? names.get(c.in) || c.in : 'nobody'} over ${c.out ? names.get(c.out) || c.out : 'an empty slot'} `, h('span', { class: 'gain' }, `(${signed(c.gain)})`))))
      : h('p', { class: 'muted' }, 'Your lineup is already optimal.'),
    h('div', { class: 'scroll' }, h('table', { class: 'lineup' }, head(), h('tbody', {}, r.lineup.map((p) => row(p, changed(p)))))),
    (r.bench || []).length
      ? h('details', { class: 'bench-details' }, h('summary', {}, `Bench (${r.bench.length})`),
        h('div', { class: 'scroll' }, h('table', { class: 'bench' }, head(), h('tbody', {}, r.bench.map((p) => row(p, null))))))
      : '')
}

function renderTrade (r) {
  const side = (title, players, total) => h('table', { class: 'trade-side' },
    h('caption', {}, title),
    h('thead', {}, h('tr', {}, h('th', {}, 'Player'), h('th', { class: 'num', title: 'rest-of-season points' }, 'ROS'), h('th', { class: 'num', title: 'value over replacement' }, 'VOR'))),
    h('tbody', {}, (players || []).map((p) => h('tr', { dataset: { playerId: p.player_id } },
      h('td', {}, h('div', {}, p.name), h('div', { class: 'muted small' }, [p.position, p.team].filter(Boolean).join(' · '), p.injury_status ? ' ' : '', injury(p.injury_status))),
      h('td', { class: 'num' }, pts(p.ros_points)), h('td', { class: 'num' }, signed(p.vor))))),
    h('tfoot', {}, h('tr', {}, h('td', { colspan: '2' }, 'Total VOR'), h('td', { class: 'num' }, signed(total)))))
  const effect = (label, e) => h('tr', {}, h('th', {}, label), h('td', { class: 'num' }, pts(e && e.before)), h('td', { class: 'num' }, pts(e && e.after)),
    h('td', { class: 'num' + (e && e.change > 0 ? ' up' : e && e.change < 0 ? ' down' : '') }, signed(e && e.change)))
  const levels = Object.entries(r.replacement_levels || {}).sort(([a], [b]) => a.localeCompare(b))
  return h('div', { class: 'trade' },
    h('p', {}, h('span', { class: 'verdict', dataset: { verdict: r.verdict } }, r.verdict),
      Array.isArray(r.weeks) ? h('span', { class: 'muted' }, ` weeks ${r.weeks[0]}–${r.weeks[1]}`) : ''),
    h('p', { class: 'summary' }, r.summary || ''),
    h('div', { class: 'sides' }, side('You give', r.you_give, r.value_given), side('You get', r.you_get, r.value_received)),
    h('div', { class: 'scroll' }, h('table', { class: 'effect' },
      h('caption', {}, 'Rest-of-season optimal lineup points'),
      h('thead', {}, h('tr', {}, h('th', {}), h('th', { class: 'num' }, 'Before'), h('th', { class: 'num' }, 'After'), h('th', { class: 'num' }, 'Change'))),
      h('tbody', {}, effect('Your lineup', r.your_lineup), effect('Their lineup', r.their_lineup)))),
    levels.length
      ? h('details', {}, h('summary', {}, 'Replacement levels'),
        h('p', { class: 'muted levels' }, levels.map(([pos, v]) => `${pos} ${pts(v)}`).join(' · ')))
      : '')
}

// ---- notifications ----------------------------------------------------------------------------------------

function maxNotificationId () {
  let max = 0
  for (const id of session.notifications.keys()) if (id > max) max = id
  return max
}

/** Adds a notification to the feed (once per id); live ones also toast. */
function addNotification (n, live) {
  const id = Number(n.id)
  if (session.notifications.has(id)) return
  session.notifications.set(id, n)
  const feed = $('#feed')
  $('.empty', feed)?.remove()
  const item = h('li', { class: 'notification', dataset: { id: String(id), type: n.notification_type } },
    h('div', { class: 'feed-head' },
      h('span', { class: 'badge', dataset: { type: n.notification_type } }, n.notification_type),
      h('strong', {}, n.title),
      h('time', { class: 'muted', datetime: n.timestamp }, fmtTime(n.timestamp))),
    n.message ? h('p', {}, n.message) : null)
  // Newest first, whatever order they arrive in.
  const after = $$('.notification', feed).find((el) => Number(el.dataset.id) < id)
  feed.insertBefore(item, after || null)
  while (feed.children.length > 200) feed.lastElementChild.remove()
  if (live) toast({ type: n.notification_type, title: n.title, message: n.message })
}

let loadingNotifications = null
async function loadNotifications (after) {
  if (loadingNotifications) return loadingNotifications
  loadingNotifications = (async () => {
    try {
      let cursor = after
      for (let page = 0; page < 50; page++) {
        const answer = await api(`/api/v1/notifications?after=${cursor}&limit=200`)
        for (const n of answer.notifications) addNotification(n, false)
        if (answer.next_after == null) break
        cursor = answer.next_after
      }
    } catch (err) {
      if (err.stale) return
      backgroundError(err, 'Loading notifications')
    } finally {
      loadingNotifications = null
    }
  })()
  return loadingNotifications
}

// ---- history ----------------------------------------------------------------------------------------------

/** Reloads the history's first page soon, once for a burst of changes (not postponed by each one). */
function scheduleHistoryReload () {
  if (session.historyTimer) return
  session.historyTimer = setTimeout(() => { session.historyTimer = null; loadHistory() }, 300)
}

async function loadHistory (before) {
  try {
    const answer = await api(`/api/v1/jobs?limit=20${before ? `&before=${before}` : ''}`)
    if (!before) session.history.jobs = []
    session.history.jobs.push(...answer.jobs)
    session.history.nextBefore = answer.next_before ?? null
    renderHistory()
    for (const job of answer.jobs) {
      if (job.kind === 'sit_start' && job.state === 'completed' && job.args && !session.rosters.has(rosterKey(job.args.league_id, job.args.roster_id))) {
        rememberRoster(job.args, job.result)
      }
      // Analyses still running when the page opened get a live card.
      if (!before && KIND_LABELS[job.kind] && !FINISHED.has(job.status) && !session.tasks.has(String(job.id))) {
        renderTask(upsertTask({ id: String(job.id), kind: job.kind, status: job.status, progress: job.progress, current_step: job.current_step, args: job.args }))
      }
      const task = session.tasks.get(String(job.id))
      if (task && !task.args) { task.args = job.args; renderTask(task) }
    }
  } catch (err) {
    if (err.stale) return
    backgroundError(err, 'Loading task history')
  }
}

function renderHistory () {
  const body = $('#history')
  body.replaceChildren(...session.history.jobs.map((job) => h('tr', {
    class: 'job' + (session.history.selected === job.id ? ' selected' : ''),
    dataset: { jobId: String(job.id) },
    tabindex: '0',
    onclick: () => showJob(job.id),
    onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); showJob(job.id) } }
  },
  h('td', { class: 'muted' }, String(job.id)),
  h('td', {}, KIND_LABELS[job.kind] || job.kind, session.user && session.user.admin && job.user_id !== session.user.sub
    ? h('span', { class: 'muted small' }, ` · ${job.user_id || 'system'}`) : ''),
  h('td', {}, h('span', { class: 'status', dataset: { status: job.status } }, STATUS_LABELS[job.status] || job.status),
    job.status === 'in_progress' ? h('span', { class: 'muted' }, ` ${job.progress}%`) : ''),
  h('td', { class: 'muted' }, fmtTime(job.created_at)))))
  if (session.history.jobs.length === 0) body.append(messageRow('No tasks yet.'))
  $('#history-more').hidden = session.history.nextBefore == null
}

function updateHistoryRow (id, update) {
  const job = session.history.jobs.find((j) => String(j.id) === id)
  if (!job) { scheduleHistoryReload(); return }
  job.status = update.status
  job.progress = update.progress
  job.current_step = update.current_step
  if (update.status === 'completed' && update.data) job.result = update.data.result ?? job.result
  renderHistory()
  if (session.history.selected === job.id && FINISHED.has(update.status)) showJob(job.id)
}

async function showJob (id) {
  session.history.selected = id
  renderHistory()
  const box = $('#history-detail')
  box.hidden = false
  box.replaceChildren(h('p', { class: 'muted' }, 'Loading…'))
  try {
    const job = await api(`/api/v1/jobs/${id}`)
    const errors = job.errors || []
    box.replaceChildren(
      h('div', { class: 'card-head' },
        h('h3', {}, `#${job.id} ${KIND_LABELS[job.kind] || job.kind}`),
        h('button', { type: 'button', class: 'link', 'aria-label': 'Close', onclick: () => { box.hidden = true; session.history.selected = null; renderHistory() } }, '×')),
      h('p', {}, h('span', { class: 'status', dataset: { status: job.status } }, STATUS_LABELS[job.status] || job.status),
        h('span', { class: 'muted' }, ` · attempt ${job.attempt}/${job.max_attempts} · queue ${job.queue} · created ${fmtTime(job.created_at)}` +
          (job.finished_at ? ` · finished ${fmtTime(job.finished_at)}` : ''))),
      job.current_step ? h('p', { class: 'muted' }, job.current_step) : '',
      errors.length ? h('ul', { class: 'job-errors' }, errors.map((e) => h('li', {}, `attempt ${e.attempt}: ${e.error}`))) : '',
      h('details', {}, h('summary', {}, 'Arguments'), h('pre', { class: 'json' }, JSON.stringify(job.args, null, 2))),
      job.result != null ? renderResult(job.kind, job.result) : h('p', { class: 'muted' }, job.status === 'completed' ? 'No result.' : 'No result yet.'))
  } catch (err) {
    if (err.stale) return
    box.replaceChildren(h('p', { class: 'task-error' }, err.message))
  }
}

// ---- operations (admins) ----------------------------------------------------------------------------------

async function loadOps () {
  if (!session.user || !session.user.admin) return
  await Promise.all([loadStats(), loadSchedules(), loadFailures()])
}

async function loadStats () {
  const body = $('#stats')
  try {
    const { queues } = await api('/api/v1/stats')
    const rows = queues.filter((q) => q.jobs > 0 || q.state === 'available')
    body.replaceChildren(...rows.map((q) => h('tr', { dataset: { queue: q.queue, state: q.state } },
      h('td', {}, q.queue), h('td', {}, q.state), h('td', { class: 'num' }, String(q.jobs)),
      h('td', { class: 'num' }, q.state === 'available' ? fmtSeconds(q.lag_seconds) : ''))))
    if (rows.length === 0) body.append(messageRow('No jobs.'))
  } catch (err) {
    if (err.stale) return
    body.replaceChildren(messageRow(err.message, 'task-error'))
  }
}

async function loadSchedules () {
  const body = $('#schedules')
  try {
    const { schedules } = await api('/api/v1/schedules')
    body.replaceChildren(...schedules.map((s) => {
      const toggle = h('input', { type: 'checkbox', checked: s.enabled, 'aria-label': `${s.name} enabled` })
      toggle.addEventListener('change', async () => {
        toggle.disabled = true
        try {
          await api(`/api/v1/schedules/${encodeURIComponent(s.name)}`, { method: 'PATCH', body: { enabled: toggle.checked } })
          toast({ type: 'info', title: `${s.name} ${toggle.checked ? 'enabled' : 'disabled'}` })
        } catch (err) {
          if (err.stale) return
          toggle.checked = !toggle.checked
          showError(err, `Changing ${s.name}`)
        } finally {
          toggle.disabled = false
          loadSchedules()
        }
      })
      const run = h('button', { type: 'button', class: 'secondary small' }, 'Run now')
      run.addEventListener('click', async () => {
        run.disabled = true
        try {
          const { job_id: jobId } = await api(`/api/v1/schedules/${encodeURIComponent(s.name)}/run`, { method: 'POST' })
          toast({ type: 'info', title: `${s.name}: job #${jobId} enqueued` })
          loadOps()
        } catch (err) {
          if (err.stale) return
          showError(err, `Running ${s.name}`)
        } finally {
          run.disabled = false
        }
      })
      return h('tr', { dataset: { schedule: s.name, enabled: String(s.enabled) } },
        h('td', {}, h('strong', {}, s.name), h('div', { class: 'muted' }, s.kind)),
        h('td', {}, s.cron ? `${s.cron} (${s.timezone})` : s.every ? `every ${fmtInterval(s.every)}` : '–'),
        h('td', {},
          h('div', {}, s.enabled ? `next ${fmtTime(s.next_run_at)}` : h('span', { class: 'muted' }, 'paused')),
          h('div', { class: 'muted' }, `last ${fmtTime(s.last_run_at)}${s.last_job_id ? ` (#${s.last_job_id})` : ''}`),
          s.last_error ? h('div', { class: 'task-error' }, s.last_error) : ''),
        h('td', { class: 'actions' }, h('label', { class: 'switch' }, toggle, ' enabled'), run))
    }))
    if (schedules.length === 0) body.append(messageRow('No schedules.'))
  } catch (err) {
    if (err.stale) return
    body.replaceChildren(messageRow(err.message, 'task-error'))
  }
}

async function loadFailures () {
  const list = $('#failures')
  try {
    const { jobs } = await api('/api/v1/jobs?state=discarded&limit=20')
    list.replaceChildren(...jobs.map((job) => {
      const last = (job.errors || [])[job.errors.length - 1]
      const retry = h('button', { type: 'button', class: 'secondary small' }, 'Retry')
      retry.addEventListener('click', async () => {
        retry.disabled = true
        try {
          const { changed } = await api(`/api/v1/jobs/${job.id}/retry`, { method: 'POST' })
          toast({ type: 'info', title: changed ? `Job #${job.id} queued again` : `Job #${job.id} had nothing to retry` })
          loadOps()
        } catch (err) {
          if (err.stale) return
          showError(err, `Retrying job ${job.id}`)
          retry.disabled = false
        }
      })
      return h('li', { dataset: { jobId: String(job.id) } },
        h('div', { class: 'feed-head' }, h('strong', {}, `#${job.id} ${job.kind}`),
          h('span', { class: 'muted' }, `${job.user_id ? job.user_id + ' · ' : ''}${fmtTime(job.finished_at)}`), retry),
        last ? h('p', { class: 'task-error' }, `attempt ${last.attempt}: ${last.error}`) : null)
    }))
    if (jobs.length === 0) list.append(h('li', { class: 'muted' }, 'No failed jobs.'))
  } catch (err) {
    if (err.stale) return
    list.replaceChildren(h('li', { class: 'task-error' }, err.message))
  }
}

// ---- go -----------------------------------------------------------------------------------------------------

window.addEventListener('storage', (e) => {
  // Signed out (or in as someone else) in another tab.
  if (e.key !== TOKEN_KEY) return
  if (!e.newValue && session.token) signOut('Signed out in another tab.')
})
window.addEventListener('unhandledrejection', (e) => showError(e.reason, 'Unexpected error'))
setupForms()
start()
