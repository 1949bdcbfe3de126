/*
 * Lua run inside Redis, so that a change spanning several keys (status,
 * history, healthy manifests, the event announcing it) is all or nothing and
 * can depend on the app still existing.
 */

/**
 * Registers apps: creates each one's status with the given defaults when new,
 * else only refreshes namespace, cluster and origin.
 * A new app's `observedSeq` is taken, so no repository mark older than it
 * stands for its `observedRevision` (see markObserved).
 * KEYS: apps set, events, observed seq, then each app's status. ARGV[1]: JSON [{name,
 * defaults: [[field, value]…], namespace, cluster, origin (each a JSON string)}…],
 * ARGV[2]: time, ARGV[3]: events max length.
 * Returns 1 for each app created, 0 for each known one, in order.
 */
export const ENSURE_APPS = `
local created = {}
for i, app in ipairs(cjson.decode(ARGV[1])) do
  local key = KEYS[i + 3]
  created[i] = 0
  if redis.call('EXISTS', key) == 0 then
    for _, pair in ipairs(app.defaults) do redis.call('HSET', key, pair[1], pair[2]) end
    redis.call('HSET', key, 'observedSeq', redis.call('INCR', KEYS[3]))
    created[i] = 1
  end
  redis.call('HSET', key, 'namespace', app.namespace, 'cluster', app.cluster, 'origin', app.origin)
  redis.call('SADD', KEYS[1], app.name)
  if created[i] == 1 then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'type', 'app.registered', 'app', app.name, 'time', ARGV[2])
  end
end
return created
`;

/**
 * Changes status fields of existing apps, each announced by its own event, as
 * UPDATE_APP without history or manifests does; unknown apps are left alone.
 * An app given an `observedRevision` (`observed` true) takes the next `observedSeq`.
 * KEYS: events, observed seq, then each app's status. ARGV[1]: JSON {apps: [{app, set:
 * [[field, value]…], del: [field…], observed?: true, data?: JSON}…], eventType, time, eventsMaxLen}.
 * Returns 1 for each app changed, 0 for each unknown one, in order.
 */
export const UPDATE_APPS = `
local op = cjson.decode(ARGV[1])
local changed = {}
for i, app in ipairs(op.apps) do
  local key = KEYS[i + 2]
  changed[i] = 0
  if redis.call('EXISTS', key) == 1 then
    for _, pair in ipairs(app.set) do redis.call('HSET', key, pair[1], pair[2]) end
    if app.observed then redis.call('HSET', key, 'observedSeq', redis.call('INCR', KEYS[2])) end
    for _, field in ipairs(app.del) do redis.call('HDEL', key, field) end
    local fields = {'type', op.eventType, 'app', app.app, 'time', op.time}
    if app.data then
      fields[#fields + 1] = 'data'
      fields[#fields + 1] = app.data
    end
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', op.eventsMaxLen, '*', unpack(fields))
    changed[i] = 1
  end
end
return changed
`;

/**
 * Changes an existing app: status fields, and optionally a history entry and
 * a healthy revision's manifests; announces it. Nothing happens for an
 * unknown app (deleted meanwhile): returns nil.
 * KEYS: status, history, history-seq, healthy, healthy-order, events, observed seq.
 * ARGV[1]: JSON {app, set: [[field, value]…], del: [field…], observed?: true, history?: entry
 * JSON without id, historyLimit, healthyRevision?, healthyJson?, healthyLimit,
 * eventType, eventData?: JSON, time, eventsMaxLen}.
 * Returns {history id or 0, event id}.
 */
export const UPDATE_APP = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local op = cjson.decode(ARGV[1])
for _, pair in ipairs(op.set) do redis.call('HSET', KEYS[1], pair[1], pair[2]) end
if op.observed then redis.call('HSET', KEYS[1], 'observedSeq', redis.call('INCR', KEYS[7])) end
for _, field in ipairs(op.del) do redis.call('HDEL', KEYS[1], field) end
local data = op.eventData
local id = 0
if op.history then
  id = redis.call('INCR', KEYS[3])
  local entry = '{"id":' .. id .. ',' .. string.sub(op.history, 2)
  redis.call('LPUSH', KEYS[2], entry)
  redis.call('LTRIM', KEYS[2], 0, op.historyLimit - 1)
  data = '{"entry":' .. entry .. ',"status":' .. (op.eventData or 'null') .. '}'
end
if op.healthyRevision then
  redis.call('LREM', KEYS[5], 0, op.healthyRevision)
  redis.call('LPUSH', KEYS[5], op.healthyRevision)
  redis.call('HSET', KEYS[4], op.healthyRevision, op.healthyJson)
  while redis.call('LLEN', KEYS[5]) > op.healthyLimit do
    redis.call('HDEL', KEYS[4], redis.call('RPOP', KEYS[5]))
  end
end
local fields = {'type', op.eventType, 'app', op.app, 'time', op.time}
if data then
  fields[#fields + 1] = 'data'
  fields[#fields + 1] = data
end
local eventId = redis.call('XADD', KEYS[6], 'MAXLEN', '~', op.eventsMaxLen, '*', unpack(fields))
return {id, eventId}
`;

/**
 * Marks every app of a repository as having seen `revision` (all of them were
 * planned at it), in one write instead of one per app: an app's own
 * `observedRevision` stands when its `observedSeq` is newer than the mark's.
 * KEYS: observed, observed seq, events. ARGV: repository id, revision, time, events max length.
 */
export const MARK_OBSERVED = `
local seq = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({revision = ARGV[2], seq = seq}))
local data = cjson.encode({repository = ARGV[1], revision = ARGV[2]})
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'type', 'repository.observed', 'time', ARGV[3], 'data', data)
return seq
`;

/**
 * Reads some fields of each app's status as one JSON object text per app (the fields' values are
 * JSON already), false for an app with none of them: one string to parse an app instead of one per field.
 * KEYS: each app's status. ARGV: the field names (plain identifiers).
 */
export const READ_FIELDS = `
local out = {}
for i, key in ipairs(KEYS) do
  local values = redis.call('HMGET', key, unpack(ARGV))
  local parts = {}
  for j, value in ipairs(values) do
    if value then parts[#parts + 1] = '"' .. ARGV[j] .. '":' .. value end
  end
  if #parts == 0 then out[i] = false else out[i] = '{' .. table.concat(parts, ',') .. '}' end
end
return out
`;
