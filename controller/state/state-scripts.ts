/*
 * Lua run inside Redis, so that a change spanning several keys (status,
 * history, healthy manifests, the event announcing it) is all or nothing and
 * can depend on the app still existing.
 */

/**
 * Registers an app: creates its status with the given defaults when new,
 * else only refreshes namespace, cluster and origin.
 * KEYS: status, apps set, events. ARGV: name, defaults (JSON [[field, value]…]),
 * namespace (JSON), cluster (JSON), time, events max length, origin (JSON).
 * Returns 1 when the app was created.
 */
export const ENSURE_APP = `
local created = 0
if redis.call('EXISTS', KEYS[1]) == 0 then
  for _, pair in ipairs(cjson.decode(ARGV[2])) do redis.call('HSET', KEYS[1], pair[1], pair[2]) end
  created = 1
end
redis.call('HSET', KEYS[1], 'namespace', ARGV[3], 'cluster', ARGV[4], 'origin', ARGV[7])
redis.call('SADD', KEYS[2], ARGV[1])
if created == 1 then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'type', 'app.registered', 'app', ARGV[1], 'time', ARGV[5])
end
return created
`;

/**
 * Changes an existing app: status fields, and optionally a history entry and
 * a healthy revision's manifests; announces it. Nothing happens for an
 * unknown app (deleted meanwhile): returns nil.
 * KEYS: status, history, history-seq, healthy, healthy-order, events.
 * ARGV[1]: JSON {app, set: [[field, value]…], del: [field…], history?: entry
 * JSON without id, historyLimit, healthyRevision?, healthyJson?, healthyLimit,
 * eventType, eventData?: JSON, time, eventsMaxLen}.
 * Returns {history id or 0, event id}.
 */
export const UPDATE_APP = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local op = cjson.decode(ARGV[1])
for _, pair in ipairs(op.set) do redis.call('HSET', KEYS[1], pair[1], pair[2]) end
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
